#include "timeline/recorder.h"

#include <cstdlib>
#include <cstring>

namespace timeline {

bool Recorder::AlwaysWrite() {
  const char* v = std::getenv("TINYKV_TIMELINE");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

Recorder::Recorder(std::string title, TimeUnit unit)
    : title_(std::move(title)), unit_(std::move(unit)) {}

void Recorder::AddLane(uint64_t lane) {
  for (uint64_t l : lanes_) {
    if (l == lane) return;
  }
  lanes_.push_back(lane);
}

void Recorder::State(Time t, uint64_t lane, const LaneState& s) {
  Saw(t);
  auto& history = states_[lane];
  if (!history.empty() && history.back().second == s) return;
  if (!history.empty() && history.back().first == t) {
    history.back().second = s;  // several changes in one instant: keep the last
    return;
  }
  history.emplace_back(t, s);
}

uint64_t Recorder::Send(Time t, uint64_t from, uint64_t to, std::string type, Fields fields,
                        uint64_t duplicate_of) {
  Saw(t);
  Message m;
  m.id = messages_.size() + 1;
  m.from = from;
  m.to = to;
  m.type = std::move(type);
  m.sent = t;
  m.duplicate_of = duplicate_of;
  m.fields = std::move(fields);
  messages_.push_back(std::move(m));
  return messages_.back().id;
}

void Recorder::Deliver(Time t, uint64_t message_id) {
  if (message_id == 0 || message_id > messages_.size()) return;
  Saw(t);
  Message& m = messages_[message_id - 1];
  m.delivered = true;
  m.end = t;
}

void Recorder::Drop(Time t, uint64_t message_id, std::string reason) {
  if (message_id == 0 || message_id > messages_.size()) return;
  Saw(t);
  Message& m = messages_[message_id - 1];
  m.dropped = true;
  m.end = t;
  m.drop_reason = std::move(reason);
}

void Recorder::DropInFlightTo(Time t, uint64_t lane, const std::string& reason) {
  for (Message& m : messages_) {
    if (m.to != lane || m.delivered || m.dropped) continue;
    Saw(t);
    m.dropped = true;
    m.end = t;
    m.drop_reason = reason;
  }
}

uint64_t Recorder::BeginRegion(Time t, std::string kind, std::string text,
                               std::vector<uint64_t> lanes,
                               std::vector<std::vector<uint64_t>> groups) {
  Saw(t);
  Region r;
  r.id = regions_.size() + 1;
  r.kind = std::move(kind);
  r.text = std::move(text);
  r.lanes = std::move(lanes);
  r.groups = std::move(groups);
  r.begin = t;
  regions_.push_back(std::move(r));
  return regions_.back().id;
}

void Recorder::EndRegion(Time t, uint64_t region_id) {
  if (region_id == 0 || region_id > regions_.size()) return;
  Saw(t);
  Region& r = regions_[region_id - 1];
  r.end = t;
  r.open = false;
}

void Recorder::AddMark(Time t, uint64_t lane, std::string category, std::string text) {
  Saw(t);
  marks_.push_back(Mark{t, lane, std::move(category), std::move(text)});
}

uint64_t Recorder::Invoke(Time t, int client, std::string kind, std::string key,
                          std::string value) {
  Saw(t);
  ClientOp op;
  op.id = ops_.size() + 1;
  op.client = client;
  op.kind = std::move(kind);
  op.key = std::move(key);
  op.value = std::move(value);
  op.invoke = t;
  ops_.push_back(std::move(op));
  return ops_.back().id;
}

void Recorder::Respond(Time t, uint64_t op_id, std::string result, std::string value) {
  if (op_id == 0 || op_id > ops_.size()) return;
  Saw(t);
  ClientOp& op = ops_[op_id - 1];
  op.answered = true;
  op.response = t;
  op.result = std::move(result);
  if (!value.empty()) op.value = std::move(value);
}

void Recorder::Highlight(uint64_t op_id, std::string note) {
  if (op_id == 0 || op_id > ops_.size()) return;
  ClientOp& op = ops_[op_id - 1];
  op.highlighted = true;
  op.note = std::move(note);
}

void Recorder::Fail(Time t, std::string title, std::string text, std::vector<uint64_t> lanes) {
  Saw(t);
  failures_.push_back(Failure{t, std::move(title), std::move(text), std::move(lanes)});
}

}  // namespace timeline
