#pragma once

// The timeline event model: what a simulated run records so that a failing run can draw
// itself as one HTML page (render.h). Both simulators record into it — the Raft simulator
// (raft/sim), the Raft unit-test network (raft/testing) and the raftstore cluster
// (raftstore/testing) — and it knows nothing of either: lanes are numbered nodes or stores,
// messages are typed arrows with their fields as text, everything else is a mark, a region or
// a client operation on the one virtual-time axis.
//
// Recording costs nothing when no page is wanted: simulators hold a `Recorder*` that is null
// unless a timeline was asked for (Wanted()), and every call site checks it. Recording is
// deterministic: the same run gives the same events, so the same page byte for byte.
//
// Time is virtual and unit-free here; the recorder's TimeUnit says how the page labels it
// (raftstore: "us", microseconds; the Raft simulator: "millitick", tick * 1000 + the event's
// rank within its tick, so that a tick's steps keep their order on the axis; the unit-test
// network, which has no clock: "step").

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace timeline {

using Time = uint64_t;

// How the page names and scales the time axis.
struct TimeUnit {
  std::string name = "us";  // "us", "tick", "step"
  double per_second = 1e6;  // units per second of virtual time; 0: not wall-like
};

// A node's (or store's) state at a moment; recorded when any field changes.
struct LaneState {
  std::string role;  // "follower", "candidate", "leader", "down"
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t lead = 0;
  uint64_t last = 0;  // last log index
  uint64_t commit = 0;
  uint64_t applied = 0;
  uint64_t first = 0;      // first log index still held
  uint64_t truncated = 0;  // truncated (compacted) index

  friend bool operator==(const LaneState&, const LaneState&) = default;
};

// A message between two lanes. Fields are (name, value) pairs shown on hover, in order.
using Fields = std::vector<std::pair<std::string, std::string>>;

struct Message {
  uint64_t id = 0;
  uint64_t from = 0, to = 0;
  std::string type;  // "MsgAppend", "MsgSnapshot", ...
  Time sent = 0;
  // Set when it arrived, or when it was lost (with why).
  bool delivered = false;
  bool dropped = false;
  Time end = 0;
  std::string drop_reason;    // "partition", "drop filter", "receiver down", ...
  uint64_t duplicate_of = 0;  // a second copy of message `duplicate_of` (0: an original)
  Fields fields;
};

// A fault that lasts: a partition, an isolation, a drop filter, a crash (down time), a slow
// worker. `lanes` are the lanes it affects; `groups` (partitions) say who was on which side.
struct Region {
  uint64_t id = 0;
  std::string kind;  // "partition", "isolate", "filter", "down", "slow-worker", ...
  std::string text;
  std::vector<uint64_t> lanes;
  std::vector<std::vector<uint64_t>> groups;
  Time begin = 0;
  Time end = 0;
  bool open = true;  // not ended when the run stopped
};

// A moment on one lane (lane 0: the whole cluster): an election, a crash point that fired, a
// 2C event (CompactLog proposed/applied, raftlog-gc deletion, snapshot generation
// requested/ready/failed, chunk sent, snapshot applied), a restart.
struct Mark {
  Time time = 0;
  uint64_t lane = 0;
  std::string category;  // "election", "crash", "restart", "compact", "gc", "snapshot", ...
  std::string text;
};

// One client operation: an invoke -> response bar on the client's row.
struct ClientOp {
  uint64_t id = 0;
  int client = 0;
  std::string kind;  // "Get", "Put", "Delete", "Scan"
  std::string key;
  std::string value;   // written (Put) or read (Get)
  std::string result;  // "ok", "not found", "timeout", "NotLeader", ...
  Time invoke = 0;
  Time response = 0;
  bool answered = false;
  bool highlighted = false;  // named by the failure (e.g. the linearizability checker)
  std::string note;          // why it is highlighted
};

// The failure the run stopped on, pinned at its time.
struct Failure {
  Time time = 0;
  std::string title;  // "safety violation: two leaders in term 3", "assertion failed", ...
  std::string text;   // the full message
  std::vector<uint64_t> lanes;
};

class Recorder {
 public:
  // Whether the running test wants a timeline even if it passes (TINYKV_TIMELINE=1).
  // Failing tests always write one (see WriteOnFailure in output.h).
  static bool AlwaysWrite();

  explicit Recorder(std::string title = "", TimeUnit unit = {});

  void set_title(std::string title) { title_ = std::move(title); }
  // What the lanes are called on the page ("node", "store").
  void set_lane_noun(std::string noun) { lane_noun_ = std::move(noun); }
  void AddLane(uint64_t lane);

  // Records the lane's state if it differs from the last one recorded.
  void State(Time t, uint64_t lane, const LaneState& s);

  // A message was put on the wire; returns its id for Deliver / Drop.
  uint64_t Send(Time t, uint64_t from, uint64_t to, std::string type, Fields fields,
                uint64_t duplicate_of = 0);
  void Deliver(Time t, uint64_t message_id);
  void Drop(Time t, uint64_t message_id, std::string reason);
  // Every message to `lane` still in flight is lost (its receiver went down, taking its queue).
  void DropInFlightTo(Time t, uint64_t lane, const std::string& reason);
  // The message is still on its way (neither delivered nor dropped).
  bool InFlight(uint64_t message_id) const {
    return message_id != 0 && message_id <= messages_.size() &&
           !messages_[message_id - 1].delivered && !messages_[message_id - 1].dropped;
  }

  uint64_t BeginRegion(Time t, std::string kind, std::string text, std::vector<uint64_t> lanes,
                       std::vector<std::vector<uint64_t>> groups = {});
  void EndRegion(Time t, uint64_t region_id);

  void AddMark(Time t, uint64_t lane, std::string category, std::string text);

  uint64_t Invoke(Time t, int client, std::string kind, std::string key, std::string value);
  void Respond(Time t, uint64_t op_id, std::string result, std::string value = "");
  void Highlight(uint64_t op_id, std::string note);

  void Fail(Time t, std::string title, std::string text, std::vector<uint64_t> lanes = {});

  // ---- What the renderer reads ----
  const std::string& title() const { return title_; }
  const std::string& lane_noun() const { return lane_noun_; }
  const TimeUnit& unit() const { return unit_; }
  const std::vector<uint64_t>& lanes() const { return lanes_; }
  // Per lane, (time, state) in time order.
  const std::map<uint64_t, std::vector<std::pair<Time, LaneState>>>& states() const {
    return states_;
  }
  const std::vector<Message>& messages() const { return messages_; }
  const std::vector<Region>& regions() const { return regions_; }
  const std::vector<Mark>& marks() const { return marks_; }
  const std::vector<ClientOp>& ops() const { return ops_; }
  const std::vector<Failure>& failures() const { return failures_; }
  Time last_time() const { return last_time_; }

 private:
  void Saw(Time t) {
    if (t > last_time_) last_time_ = t;
  }

  std::string title_;
  std::string lane_noun_ = "node";
  TimeUnit unit_;
  std::vector<uint64_t> lanes_;
  std::map<uint64_t, std::vector<std::pair<Time, LaneState>>> states_;
  std::vector<Message> messages_;
  std::vector<Region> regions_;
  std::vector<Mark> marks_;
  std::vector<ClientOp> ops_;
  std::vector<Failure> failures_;
  Time last_time_ = 0;
};

}  // namespace timeline
