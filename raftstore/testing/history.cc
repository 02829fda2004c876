#include "raftstore/testing/history.h"

#include <cstdio>
#include <stdexcept>

namespace raftstore::testing {

namespace {

std::string Seconds(uint64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6fs", static_cast<double>(micros) / 1e6);
  return buf;
}

}  // namespace

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kGet:
      return "Get";
    case OpKind::kPut:
      return "Put";
    case OpKind::kDelete:
      return "Delete";
  }
  return "?";
}

std::string Operation::ToString() const {
  std::string out = "client " + std::to_string(client) + " " + OpKindName(kind) + "(";
  if (cf != kDefaultCf) out += cf + ":";
  out += "\"" + key;
  if (kind == OpKind::kPut) out += "\", \"" + value;
  out += "\")";
  if (kind == OpKind::kGet && !pending()) out += found ? " -> \"" + value + "\"" : " -> absent";
  out += " [" + Seconds(invoke_time) + " .. " + (pending() ? "?" : Seconds(response_time)) + "]";
  if (log_index != 0) out += " @" + std::to_string(log_index);
  return out;
}

History::OpId History::Invoke(int client, OpKind kind, std::string cf, std::string key,
                              std::string value, uint64_t time) {
  Operation op;
  op.client = client;
  op.kind = kind;
  op.cf = std::move(cf);
  op.key = std::move(key);
  if (kind == OpKind::kPut) op.value = std::move(value);
  op.invoke_seq = next_seq_++;
  op.invoke_time = time;
  ops_.push_back(std::move(op));
  discarded_.push_back(false);
  return ops_.size() - 1;
}

void History::ReturnGet(OpId id, std::optional<std::string> value, uint64_t time) {
  Operation& op = ops_.at(id);
  if (op.kind != OpKind::kGet || !op.pending()) {
    throw std::logic_error("History::ReturnGet on " + op.ToString());
  }
  op.found = value.has_value();
  op.value = value.value_or("");
  op.response_seq = next_seq_++;
  op.response_time = time;
}

void History::ReturnWrite(OpId id, uint64_t time) {
  Operation& op = ops_.at(id);
  if (op.kind == OpKind::kGet || !op.pending()) {
    throw std::logic_error("History::ReturnWrite on " + op.ToString());
  }
  op.response_seq = next_seq_++;
  op.response_time = time;
}

History::OpId History::AddPendingCopy(OpId id) {
  Operation copy = ops_.at(id);
  copy.response_seq = Operation::kPending;
  copy.response_time = 0;
  copy.found = false;
  copy.log_index = 0;
  ops_.push_back(std::move(copy));
  discarded_.push_back(false);
  return ops_.size() - 1;
}

void History::Discard(OpId id) { discarded_.at(id) = true; }

std::vector<Operation> History::Operations() const {
  std::vector<Operation> out;
  out.reserve(ops_.size());
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (!discarded_[i]) out.push_back(ops_[i]);
  }
  return out;
}

}  // namespace raftstore::testing
