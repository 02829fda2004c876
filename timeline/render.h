#pragma once

// Draws a recorded run (recorder.h) as one self-contained HTML page: the page's CSS and
// JavaScript are inlined at build time, the run's events are embedded as JSON; nothing is
// loaded from the network. The same recording gives the same bytes.

#include <string>

#include "timeline/recorder.h"

namespace timeline {

std::string RenderHtml(const Recorder& rec);

}  // namespace timeline
