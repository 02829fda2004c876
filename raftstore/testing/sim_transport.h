#pragma once

// The simulated network between the stores of a test cluster. Every Raft message a store
// sends goes through the filters a test installed (each may drop it or delay it), then
// arrives at the destination store's raft worker after a random network delay. Delays vary
// per message, so messages are reordered too — except a snapshot's chunks and its
// MsgSnapshot (lab 2C), which between two stores arrive in the order they were sent, like a
// stream, each still subject to the filters. Every random choice comes from the runtime's
// seeded generator.
//
//   PartitionFilter(s1, s2)  drops everything between the two groups of stores;
//   IsolateFilter(s)         drops everything to and from store s;
//   DropFilter(f)            drops a fraction f of all messages (TinyKV's "unreliable": 0.1);
//   DelayFilter(lo, hi)      adds a delay drawn from [lo, hi] to every message;
//   ClearFilters()           heals everything.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "proto/raft_serverpb.pb.h"
#include "raftstore/runtime/sim_runtime.h"
#include "raftstore/transport.h"
#include "timeline/recorder.h"

namespace raftstore::testing {

class Filter {
 public:
  virtual ~Filter() = default;
  // False drops the message; otherwise `*delay` may be increased.
  virtual bool Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime& rt,
                      runtime::Micros* delay) = 0;
  virtual std::string Describe() const = 0;
};

class PartitionFilter : public Filter {
 public:
  PartitionFilter(std::set<uint64_t> s1, std::set<uint64_t> s2)
      : s1_(std::move(s1)), s2_(std::move(s2)) {}
  bool Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime& rt,
              runtime::Micros* delay) override;
  std::string Describe() const override;
  const std::set<uint64_t>& s1() const { return s1_; }
  const std::set<uint64_t>& s2() const { return s2_; }

 private:
  std::set<uint64_t> s1_, s2_;
};

class IsolateFilter : public Filter {
 public:
  explicit IsolateFilter(uint64_t store_id) : store_id_(store_id) {}
  bool Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime& rt,
              runtime::Micros* delay) override;
  std::string Describe() const override;
  uint64_t store_id() const { return store_id_; }

 private:
  uint64_t store_id_;
};

class DropFilter : public Filter {
 public:
  explicit DropFilter(double fraction = 0.1) : per_mille_(static_cast<uint64_t>(fraction * 1000)) {}
  bool Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime& rt,
              runtime::Micros* delay) override;
  std::string Describe() const override;

 private:
  uint64_t per_mille_;
};

class DelayFilter : public Filter {
 public:
  DelayFilter(runtime::Micros lo, runtime::Micros hi) : lo_(lo), hi_(hi) {}
  bool Before(const raft_serverpb::RaftMessage& msg, runtime::Runtime& rt,
              runtime::Micros* delay) override;
  std::string Describe() const override;

 private:
  runtime::Micros lo_, hi_;
};

class SimTransport : public Transport {
 public:
  // Every message takes a delay drawn from [delay_min, delay_max] on top of the filters'.
  SimTransport(runtime::SimRuntime* rt, runtime::Micros delay_min, runtime::Micros delay_max);

  // Hands a message that arrived to its store; called in a task on the store's raft queue.
  // The cluster drops messages for a store that is down.
  using DeliverFn = std::function<void(uint64_t store_id, raft_serverpb::RaftMessage&& msg)>;
  void SetDeliver(DeliverFn deliver) { deliver_ = std::move(deliver); }

  kv::Status Send(const raft_serverpb::RaftMessage& msg) override;
  kv::Status SendOwned(raft_serverpb::RaftMessage&& msg) override;

  // Crash tests (crash_points.h): sees every message a store sends, before anything happens to
  // it (`sent` false) and once it is on its way or lost on the wire (`sent` true). It may throw
  // runtime::StoreCrash to crash the sender right there.
  using SendObserver = std::function<void(const raft_serverpb::RaftMessage& msg, bool sent)>;
  void SetSendObserver(SendObserver observer) { send_observer_ = std::move(observer); }

  void AddFilter(std::unique_ptr<Filter> filter);
  void ClearFilters();
  std::string DescribeFilters() const;

  uint64_t sent() const { return sent_; }
  uint64_t dropped() const { return dropped_; }
  // Lab 2C: MsgSnapshots and snapshot chunks that passed the filters.
  uint64_t snapshots_sent() const { return snapshots_sent_; }
  uint64_t snapshot_chunks_sent() const { return snapshot_chunks_sent_; }
  // Lab 2C, per store: the MsgSnapshots it sent to / that were sent to it, counted before the
  // filters (whether or not the network delivered them).
  uint64_t snapshots_sent_from(uint64_t store_id) const { return Count(snap_from_, store_id); }
  uint64_t snapshots_sent_to(uint64_t store_id) const { return Count(snap_to_, store_id); }

  // Timelines: every message, and every filter as a region (null: record nothing). `up` says
  // whether a store runs (a message that arrives at a stopped store is lost).
  void set_timeline(timeline::Recorder* rec, std::vector<uint64_t> stores,
                    std::function<bool(uint64_t)> up) {
    timeline_ = rec;
    stores_ = std::move(stores);
    up_ = std::move(up);
  }

 private:
  // Send's work; the message in flight is moved from `owned` when given (`msg` is `*owned`
  // then), copied from `msg` otherwise.
  kv::Status send(const raft_serverpb::RaftMessage& msg, raft_serverpb::RaftMessage* owned);

  timeline::Recorder* timeline_ = nullptr;
  std::vector<uint64_t> stores_;
  std::function<bool(uint64_t)> up_;
  std::vector<uint64_t> filter_regions_;
  runtime::SimRuntime* rt_;
  runtime::Micros delay_min_, delay_max_;
  DeliverFn deliver_;
  SendObserver send_observer_;
  std::vector<std::unique_ptr<Filter>> filters_;
  uint64_t sent_ = 0;
  uint64_t dropped_ = 0;
  uint64_t snapshots_sent_ = 0;
  uint64_t snapshot_chunks_sent_ = 0;
  static uint64_t Count(const std::map<uint64_t, uint64_t>& m, uint64_t id) {
    auto it = m.find(id);
    return it == m.end() ? 0 : it->second;
  }
  std::map<uint64_t, uint64_t> snap_from_, snap_to_;
  // Per (from store, to store): when the last snapshot message sent between them arrives.
  std::map<std::pair<uint64_t, uint64_t>, runtime::Micros> snap_stream_at_;
};

}  // namespace raftstore::testing
