#pragma once

// A Raft message as the timeline shows it: its type, and the fields that matter for that type
// (shown on hover, in this order). Shared by the Raft simulator, the Raft unit-test network
// and the raftstore cluster (which wraps these messages), so an arrow reads the same on every
// page.

#include <string>

#include "proto/eraftpb.pb.h"
#include "timeline/recorder.h"

namespace timeline {

// "MsgAppend" (the enum's name).
std::string MessageType(const eraftpb::Message& m);

// term, and per type: index/logTerm/entries/commit (appends), reject (+ hint index),
// snapshot index/term, ... Empty and zero fields are left out.
Fields MessageFields(const eraftpb::Message& m);

}  // namespace timeline
