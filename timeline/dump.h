#pragma once

// A recording as text, one event per line, in a fixed order (lanes, states, messages,
// regions, marks, client operations, failures): what tests compare (exact events,
// determinism), and what TINYKV_TIMELINE_DUMP=1 writes next to a page (timeline.txt) so a
// script can read a run without a browser.

#include <string>

#include "timeline/recorder.h"

namespace timeline {

std::string Dump(const Recorder& rec);

}  // namespace timeline
