#include "raftstore/testing/sim_transport.h"

#include "timeline/raft_message.h"

namespace raftstore::testing {

namespace {

std::string Set(const std::set<uint64_t>& s) {
  std::string out = "{";
  for (uint64_t id : s) out += (out.size() > 1 ? ", " : "") + std::to_string(id);
  return out + "}";
}

runtime::Micros Draw(runtime::Runtime& rt, runtime::Micros lo, runtime::Micros hi) {
  return hi <= lo ? lo : lo + rt.Random(hi - lo + 1);
}

}  // namespace

bool PartitionFilter::Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime&,
                             runtime::Micros*) {
  const uint64_t from = msg.from_peer().store_id();
  const uint64_t to = msg.to_peer().store_id();
  return !((s1_.count(from) && s2_.count(to)) || (s2_.count(from) && s1_.count(to)));
}

std::string PartitionFilter::Describe() const { return "partition " + Set(s1_) + " | " + Set(s2_); }

bool IsolateFilter::Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime&,
                           runtime::Micros*) {
  return msg.from_peer().store_id() != store_id_ && msg.to_peer().store_id() != store_id_;
}

std::string IsolateFilter::Describe() const { return "isolate store " + std::to_string(store_id_); }

bool DropFilter::Before(const raft_serverpb::RaftMessage&, runtime::Runtime& rt, runtime::Micros*) {
  return rt.Random(1000) >= per_mille_;
}

std::string DropFilter::Describe() const {
  return "drop " + std::to_string(per_mille_ / 10.0).substr(0, 4) + "%";
}

bool DelayFilter::Before(const raft_serverpb::RaftMessage&, runtime::Runtime& rt,
                         runtime::Micros* delay) {
  *delay += Draw(rt, lo_, hi_);
  return true;
}

std::string DelayFilter::Describe() const {
  return "delay " + std::to_string(lo_) + ".." + std::to_string(hi_) + "us";
}

SimTransport::SimTransport(runtime::SimRuntime* rt, runtime::Micros delay_min,
                           runtime::Micros delay_max)
    : rt_(rt), delay_min_(delay_min), delay_max_(delay_max) {}

kv::Status SimTransport::Send(const raft_serverpb::RaftMessage& msg) { return send(msg, nullptr); }

kv::Status SimTransport::SendOwned(raft_serverpb::RaftMessage&& msg) { return send(msg, &msg); }

kv::Status SimTransport::send(const raft_serverpb::RaftMessage& msg,
                              raft_serverpb::RaftMessage* owned) {
  if (send_observer_) send_observer_(msg, false);
  runtime::Micros delay = Draw(*rt_, delay_min_, delay_max_);
  if (!msg.has_snap_chunk() && msg.message().msg_type() == eraftpb::MsgSnapshot) {
    ++snap_from_[msg.from_peer().store_id()];
    ++snap_to_[msg.to_peer().store_id()];
  }
  uint64_t tl_id = 0;
  if (timeline_) {
    timeline::Fields fields = timeline::MessageFields(msg.message());
    std::string type = timeline::MessageType(msg.message());
    if (msg.has_snap_chunk()) {
      type = "SnapChunk";
      const raft_serverpb::SnapshotChunk& c = msg.snap_chunk();
      fields = {{"snapshot index", std::to_string(c.index())},
                {"snapshot term", std::to_string(c.term())},
                {"cf", c.cf()},
                {"offset", std::to_string(c.offset())},
                {"bytes", std::to_string(c.data().size())}};
    }
    tl_id = timeline_->Send(rt_->Now(), msg.from_peer().store_id(), msg.to_peer().store_id(),
                            std::move(type), std::move(fields));
  }
  for (const auto& f : filters_) {
    if (!f->Before(msg, *rt_, &delay)) {
      if (tl_id) timeline_->Drop(rt_->Now(), tl_id, f->Describe());
      ++dropped_;
      if (send_observer_) send_observer_(msg, true);
      return kv::Status::OK();  // lost on the wire: the sender can't tell
    }
  }
  ++sent_;
  const uint64_t to = msg.to_peer().store_id();
  if (msg.has_snap_chunk() || msg.message().msg_type() == eraftpb::MsgSnapshot) {
    ++(msg.has_snap_chunk() ? snapshot_chunks_sent_ : snapshots_sent_);
    // A snapshot's messages form a stream: none overtakes one sent before it.
    runtime::Micros& last = snap_stream_at_[{msg.from_peer().store_id(), to}];
    const runtime::Micros now = rt_->Now();
    if (now + delay <= last) delay = last - now + 1;
    last = now + delay;
  }
  std::string label = "deliver " + eraftpb::MessageType_Name(msg.message().msg_type()) + " from " +
                      std::to_string(msg.from_peer().store_id());
  auto shared = owned != nullptr ? std::make_shared<raft_serverpb::RaftMessage>(std::move(*owned))
                                 : std::make_shared<raft_serverpb::RaftMessage>(msg);
  rt_->StartTimer(runtime::QueueId{to, "raft"}, delay, std::move(label), [this, shared, to, tl_id] {
    // The cluster drops it if the store is down.
    if (tl_id && up_ && !up_(to)) {
      timeline_->Drop(rt_->Now(), tl_id, "receiver down");
    } else if (tl_id) {
      timeline_->Deliver(rt_->Now(), tl_id);
    }
    if (deliver_) deliver_(to, std::move(*shared));
  });
  if (send_observer_) send_observer_(*shared, true);
  return kv::Status::OK();
}

void SimTransport::AddFilter(std::unique_ptr<Filter> filter) {
  if (timeline_) {
    std::string kind = "filter";
    std::vector<uint64_t> lanes = stores_;
    std::vector<std::vector<uint64_t>> groups;
    if (const auto* p = dynamic_cast<const PartitionFilter*>(filter.get())) {
      kind = "partition";
      groups = {{p->s1().begin(), p->s1().end()}, {p->s2().begin(), p->s2().end()}};
    } else if (const auto* i = dynamic_cast<const IsolateFilter*>(filter.get())) {
      kind = "isolate";
      lanes = {i->store_id()};
    }
    filter_regions_.push_back(
        timeline_->BeginRegion(rt_->Now(), kind, filter->Describe(), lanes, groups));
  }
  filters_.push_back(std::move(filter));
}

void SimTransport::ClearFilters() {
  if (timeline_) {
    for (uint64_t r : filter_regions_) timeline_->EndRegion(rt_->Now(), r);
    filter_regions_.clear();
  }
  filters_.clear();
}

std::string SimTransport::DescribeFilters() const {
  if (filters_.empty()) return "no filters";
  std::string out;
  for (const auto& f : filters_) out += (out.empty() ? "" : ", ") + f->Describe();
  return out;
}

}  // namespace raftstore::testing
