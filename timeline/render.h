#pragma once

// Draws a recorded run (recorder.h) as one self-contained HTML page: the page's CSS and
// JavaScript (timeline/page/) are inlined at build time, the run's events are embedded as JSON;
// nothing is loaded from the network. The same recording gives the same bytes.
//
// A big run is capped (PageLimits): the last `max_messages` messages are embedded one by one,
// the earlier ones as counts per time slot and lane pair, and the page says so.

#include <cstddef>
#include <string>

#include "timeline/recorder.h"

namespace timeline {

struct PageLimits {
  // Messages embedded one by one (the last ones of the run); earlier ones become counts.
  size_t max_messages;
  // Time slots the counts of the earlier messages are kept in.
  size_t count_slots;
  // Marks and client operations embedded (the last ones; highlighted operations always).
  size_t max_marks;
  size_t max_ops;

  // The kit's caps (render.cc): a page of a few MB that opens in well under a second.
  static PageLimits Default();
};

std::string RenderHtml(const Recorder& rec);
std::string RenderHtml(const Recorder& rec, const PageLimits& limits);

// The JSON the page embeds (its format is described in render.cc). For tests and tools.
std::string PageDataJson(const Recorder& rec, const PageLimits& limits = PageLimits::Default());

}  // namespace timeline
