#include "timeline/samples.h"

#include <string>
#include <utility>

namespace timeline::samples {
namespace {

// A small deterministic generator (the samples must not depend on the library's rand).
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

Fields AppendFields(uint64_t term, uint64_t index, uint64_t log_term, uint64_t commit,
                    uint64_t entries) {
  return {{"term", std::to_string(term)},
          {"index", std::to_string(index)},
          {"log_term", std::to_string(log_term)},
          {"commit", std::to_string(commit)},
          {"entries", std::to_string(entries)}};
}

Fields TermFields(uint64_t term) { return {{"term", std::to_string(term)}}; }

LaneState Make(std::string role, uint64_t term, uint64_t vote, uint64_t lead, uint64_t last,
               uint64_t commit, uint64_t applied, uint64_t first = 1, uint64_t truncated = 0) {
  LaneState s;
  s.role = std::move(role);
  s.term = term;
  s.vote = vote;
  s.lead = lead;
  s.last = last;
  s.commit = commit;
  s.applied = applied;
  s.first = first;
  s.truncated = truncated;
  return s;
}

}  // namespace

Recorder SmallRun() {
  Recorder rec("Raft2AB.SmallSample seed 1", TimeUnit{"tick", 0});
  for (uint64_t l = 1; l <= 3; ++l) {
    rec.AddLane(l);
    rec.State(0, l, Make("follower", 0, 0, 0, 0, 0, 0));
  }
  auto deliver = [&](Time t, uint64_t from, uint64_t to, const char* type, Fields f, Time at) {
    rec.Deliver(at, rec.Send(t, from, to, type, std::move(f)));
  };
  // Node 1 wins term 1.
  rec.State(10, 1, Make("candidate", 1, 1, 0, 0, 0, 0));
  for (uint64_t to : {2, 3}) {
    deliver(10, 1, to, "MsgRequestVote", TermFields(1), 11);
    rec.State(11, to, Make("follower", 1, 1, 0, 0, 0, 0));
    deliver(11, to, 1, "MsgRequestVoteResponse", {{"term", "1"}, {"reject", "false"}}, 12);
  }
  rec.State(12, 1, Make("leader", 1, 1, 1, 1, 0, 0));
  rec.AddMark(12, 1, "election", "node 1 won term 1 with votes from 1, 2, 3");
  // A Put replicated; one copy of the append is duplicated on the wire.
  uint64_t put = rec.Invoke(14, 1, "Put", "k1", "v1");
  rec.State(14, 1, Make("leader", 1, 1, 1, 2, 0, 0));
  uint64_t first_append = 0;
  for (uint64_t to : {2, 3}) {
    uint64_t id = rec.Send(14, 1, to, "MsgAppend", AppendFields(1, 0, 0, 0, 2));
    rec.Deliver(15, id);
    if (to == 2) first_append = id;
    rec.State(15, to, Make("follower", 1, 1, 1, 2, 0, 0));
    deliver(15, to, 1, "MsgAppendResponse", {{"term", "1"}, {"index", "2"}}, 16);
  }
  rec.Deliver(17, rec.Send(14, 1, 2, "MsgAppend", AppendFields(1, 0, 0, 0, 2), first_append));
  rec.State(16, 1, Make("leader", 1, 1, 1, 2, 2, 2));
  rec.Respond(17, put, "ok");
  // Heartbeats; one append is delayed.
  for (Time t = 18; t < 30; t += 3) {
    for (uint64_t to : {2, 3}) {
      deliver(t, 1, to, "MsgHeartbeat", {{"term", "1"}, {"commit", "2"}}, t + 1);
      deliver(t + 1, to, 1, "MsgHeartbeatResponse", TermFields(1), t + 2);
    }
  }
  for (uint64_t to : {2, 3}) rec.State(19, to, Make("follower", 1, 1, 1, 2, 2, 2));
  deliver(20, 1, 3, "MsgAppend", AppendFields(1, 2, 1, 2, 0), 29);
  // The leader is cut off; 2 and 3 elect node 2 in term 2.
  uint64_t part = rec.BeginRegion(30, "partition", "node 1 cut off", {1, 2, 3}, {{1}, {2, 3}});
  for (Time t = 30; t < 45; t += 3) {
    for (uint64_t to : {2, 3}) {
      rec.Drop(t, rec.Send(t, 1, to, "MsgHeartbeat", {{"term", "1"}, {"commit", "2"}}),
               "partition");
    }
  }
  rec.State(36, 2, Make("candidate", 2, 2, 0, 2, 2, 2));
  deliver(36, 2, 3, "MsgRequestVote", {{"term", "2"}, {"index", "2"}, {"log_term", "1"}}, 37);
  rec.Drop(36, rec.Send(36, 2, 1, "MsgRequestVote", {{"term", "2"}}), "partition");
  rec.State(37, 3, Make("follower", 2, 2, 0, 2, 2, 2));
  deliver(37, 3, 2, "MsgRequestVoteResponse", {{"term", "2"}, {"reject", "false"}}, 38);
  rec.State(38, 2, Make("leader", 2, 2, 2, 3, 2, 2));
  rec.AddMark(38, 2, "election", "node 2 won term 2 with votes from 2, 3");
  uint64_t get = rec.Invoke(40, 2, "Get", "k1", "");
  deliver(40, 2, 3, "MsgAppend", AppendFields(2, 2, 1, 2, 1), 41);
  deliver(41, 3, 2, "MsgAppendResponse", {{"term", "2"}, {"index", "3"}}, 42);
  rec.State(42, 2, Make("leader", 2, 2, 2, 3, 3, 3));
  rec.Respond(43, get, "ok", "v1");
  rec.EndRegion(45, part);
  deliver(46, 2, 1, "MsgAppend", AppendFields(2, 2, 1, 3, 1), 47);
  rec.State(47, 1, Make("follower", 2, 0, 2, 3, 3, 3));
  rec.State(47, 3, Make("follower", 2, 2, 2, 3, 3, 3));
  rec.AddMark(50, 2, "compact", "CompactLog proposed: truncate to index 2");
  rec.State(51, 2, Make("leader", 2, 2, 2, 3, 3, 3, 3, 2));
  rec.AddMark(52, 2, "gc", "raft log gc: deleted entries [1, 3)");
  rec.AddMark(53, 0, "note", "cluster-wide mark: checker ran");
  rec.Invoke(55, 1, "Put", "k2", "with \"quotes\" </script> & <b>");
  rec.Send(58, 2, 3, "MsgHeartbeat", {{"term", "2"}, {"commit", "3"}});
  rec.State(60, 3, Make("follower", 2, 2, 2, 3, 3, 3));
  return rec;
}

Recorder BigRun(size_t messages) {
  Recorder rec("Raftstore2C.BigSample seed 99 (synthetic)", TimeUnit{"us", 1e6});
  rec.set_lane_noun("store");
  constexpr uint64_t kStores = 5;
  for (uint64_t l = 1; l <= kStores; ++l) rec.AddLane(l);
  Lcg rng(99);
  const Time end = static_cast<Time>(kBigRunSeconds * 1e6);
  // Each round the leader sends one message to each follower and each answers: up to 8
  // messages (fewer when some are dropped); the run goes on until `messages` were sent.
  const Time round = std::max<Time>(1, end * 7 / std::max<size_t>(8, messages));
  uint64_t term = 2, leader = 1, last = 10, applied = 10, truncated = 0;
  bool partitioned = false, down5 = false;
  uint64_t part_region = 0, down_region = 0;
  uint64_t follower_last[kStores + 1] = {0};
  uint64_t pending_ops[4] = {0, 0, 0, 0};
  size_t sent = 0;
  uint64_t round_no = 0;
  rec.AddMark(0, leader, "election", "store 1 leads term 2");
  for (Time t = 0; sent < messages; t += round, ++round_no) {
    if (!partitioned && t >= 20000000 && t < 25000000) {
      part_region = rec.BeginRegion(t, "partition", "stores 1, 2 cut off from 3, 4, 5",
                                    {1, 2, 3, 4, 5}, {{1, 2}, {3, 4, 5}});
      partitioned = true;
    }
    if (partitioned && t >= 20300000 && leader == 1) {
      ++term;
      leader = 3;
      rec.AddMark(t, 3, "election", "store 3 leads term " + std::to_string(term));
    }
    if (partitioned && t >= 25000000) {
      rec.EndRegion(t, part_region);
      partitioned = false;
    }
    if (!down5 && t >= 40000000 && t < 43000000) {
      down_region = rec.BeginRegion(t, "down", "store 5 crashed", {5});
      rec.AddMark(t, 5, "crash", "crash point fired: after persisting raft state");
      rec.State(t, 5, Make("down", term, leader, 0, follower_last[5], 0, 0));
      down5 = true;
    }
    if (down5 && t >= 43000000) {
      rec.EndRegion(t, down_region);
      rec.AddMark(t, 5, "restart", "store 5 restarted");
      down5 = false;
      rec.AddMark(t + 500, leader, "snapshot", "snapshot generation requested for store 5");
      rec.AddMark(t + 9000, leader, "snapshot", "snapshot ready: index " + std::to_string(applied));
      for (int c = 0; c < 3; ++c) {
        rec.AddMark(t + 9500 + c * 800, leader, "snapshot", "chunk " + std::to_string(c) + " sent");
      }
      rec.AddMark(t + 14000, 5, "snapshot", "snapshot applied at index " + std::to_string(applied));
    }
    bool heartbeat = round_no % 10 == 9;
    if (!heartbeat) ++last;
    bool leader_cut = partitioned && leader == 1;
    if (!leader_cut) applied = last - 1;
    for (uint64_t to = 1; to <= kStores && sent < messages; ++to) {
      if (to == leader) continue;
      bool across = partitioned && ((leader <= 2) != (to <= 2));
      Time delay = 200 + rng.Below(1000);
      uint64_t id;
      if (heartbeat) {
        id = rec.Send(t, leader, to, "MsgHeartbeat",
                      {{"term", std::to_string(term)}, {"commit", std::to_string(applied)}});
      } else {
        id = rec.Send(t, leader, to, "MsgAppend", AppendFields(term, last - 1, term, applied, 1));
      }
      ++sent;
      if (across) {
        rec.Drop(t, id, "partition");
        continue;
      }
      if (down5 && to == 5) {
        rec.Drop(t + delay, id, "receiver down");
        continue;
      }
      if (rng.Below(1000) == 0) {
        rec.Drop(t + delay / 2, id, "random drop");
        continue;
      }
      if (rng.Below(2000) == 0) delay *= 20;  // now and then a slow one
      rec.Deliver(t + delay, id);
      if (rng.Below(3000) == 0) {
        rec.Deliver(t + delay + 300, rec.Send(t + 100, leader, to,
                                              heartbeat ? "MsgHeartbeat" : "MsgAppend", {}, id));
        ++sent;
      }
      follower_last[to] = last;
      rec.State(
          t + delay, to,
          Make("follower", term, leader, leader, last, applied, applied, truncated + 1, truncated));
      if (sent >= messages) break;
      uint64_t resp =
          rec.Send(t + delay, to, leader, heartbeat ? "MsgHeartbeatResponse" : "MsgAppendResponse",
                   {{"term", std::to_string(term)}, {"index", std::to_string(last)}});
      ++sent;
      rec.Deliver(t + delay + 200 + rng.Below(800), resp);
    }
    rec.State(
        t, leader,
        Make("leader", term, leader, leader, last, applied, applied, truncated + 1, truncated));
    if (partitioned && leader == 3) {
      rec.State(
          t, 1,
          Make("leader", 2, 1, 1, follower_last[1], follower_last[1] - 1, follower_last[1] - 1));
    }
    if (round_no % 3000 == 2999 && applied > 200) {
      rec.AddMark(t, leader, "compact",
                  "CompactLog proposed: truncate to " + std::to_string(applied - 100));
      truncated = applied - 100;
      for (uint64_t s = 1; s <= kStores; ++s) {
        if (s != 5 || !down5)
          rec.AddMark(t + 3000, s, "gc", "raft log gc: deleted up to " + std::to_string(truncated));
      }
    }
    // Four clients: one operation each in flight at a time.
    int client = static_cast<int>(round_no % 4);
    if (round_no % 5 == 0) {
      if (pending_ops[client] != 0) {
        rec.Respond(t, pending_ops[client], leader_cut ? "timeout" : "ok");
        pending_ops[client] = 0;
      } else {
        std::string key = "key" + std::to_string(rng.Below(50));
        bool put = rng.Below(2) == 0;
        pending_ops[client] = rec.Invoke(t, client, put ? "Put" : "Get", key,
                                         put ? "v" + std::to_string(round_no) : "");
      }
    }
  }
  return rec;
}

Recorder BrokenRun() {
  Recorder rec("Raft2AA.TwoLeadersAfterPartition seed 7 (deliberately broken: votes twice)",
               TimeUnit{"us", 1e6});
  for (uint64_t l = 1; l <= 5; ++l) {
    rec.AddLane(l);
    rec.State(0, l, Make("follower", 1, 0, 0, 0, 0, 0));
  }
  Lcg rng(7);
  auto msg = [&](Time t, uint64_t from, uint64_t to, const char* type, Fields f, bool cut) -> Time {
    uint64_t id = rec.Send(t, from, to, type, std::move(f));
    if (cut) {
      rec.Drop(t, id, "partition");
      return 0;
    }
    Time at = t + 2000 + rng.Below(6000);
    rec.Deliver(at, id);
    return at;
  };
  auto side_a = [](uint64_t n) { return n <= 2; };
  // Node 1 leads term 2.
  rec.State(280000, 1, Make("candidate", 2, 1, 0, 0, 0, 0));
  for (uint64_t to = 2; to <= 5; ++to) {
    Time at = msg(280000, 1, to, "MsgRequestVote", TermFields(2), false);
    rec.State(at, to, Make("follower", 2, 1, 0, 0, 0, 0));
    msg(at, to, 1, "MsgRequestVoteResponse", {{"term", "2"}, {"reject", "false"}}, false);
  }
  rec.State(300000, 1, Make("leader", 2, 1, 1, 1, 0, 0));
  rec.AddMark(300000, 1, "election", "node 1 won term 2 with votes from 1, 2, 3, 4, 5");
  bool partitioned = false;
  uint64_t part = 0, last = 1, commit = 0;
  uint64_t put1 = rec.Invoke(500000, 1, "Put", "k1", "v1");
  for (Time t = 300000; t < 3000000; t += 100000) {
    if (!partitioned && t >= 1000000 && t < 2200000) {
      part = rec.BeginRegion(t, "partition", "{1, 2} | {3, 4, 5}", {1, 2, 3, 4, 5},
                             {{1, 2}, {3, 4, 5}});
      partitioned = true;
    }
    if (partitioned && t >= 2200000) {
      rec.EndRegion(t, part);
      partitioned = false;
    }
    if (t == 500000) ++last;
    if (t < 2400000) {
      // Node 1 believes it leads term 2 until the end.
      for (uint64_t to = 2; to <= 5; ++to) {
        bool cut = partitioned && !side_a(to);
        bool append = t == 500000 || t == 600000;
        Time at = msg(t, 1, to, append ? "MsgAppend" : "MsgHeartbeat",
                      append ? AppendFields(2, last - 1, 2, commit, 1)
                             : Fields{{"term", "2"}, {"commit", std::to_string(commit)}},
                      cut);
        if (at != 0 && t < 1500000) {
          rec.State(at, to, Make("follower", 2, 1, 1, last, commit, commit));
          msg(at, to, 1, append ? "MsgAppendResponse" : "MsgHeartbeatResponse", TermFields(2),
              false);
        }
      }
      if (t == 600000) {
        commit = last;
        rec.State(t + 9000, 1, Make("leader", 2, 1, 1, last, commit, commit));
        rec.Respond(t + 9000, put1, "ok");
      }
    }
  }
  // The majority side elects node 4 in term 3.
  rec.State(1500000, 4, Make("candidate", 3, 4, 0, last, commit, commit));
  for (uint64_t to : {1, 2, 3, 5}) {
    Time at = msg(1500000, 4, to, "MsgRequestVote", {{"term", "3"}, {"index", "2"}}, side_a(to));
    if (at != 0) {
      rec.State(at, to, Make("follower", 3, 4, 0, last, commit, commit));
      msg(at, to, 4, "MsgRequestVoteResponse", {{"term", "3"}, {"reject", "false"}}, false);
    }
  }
  rec.State(1520000, 4, Make("leader", 3, 4, 4, last + 1, commit, commit));
  rec.AddMark(1520000, 4, "election", "node 4 won term 3 with votes from 3, 4, 5");
  uint64_t put2 = rec.Invoke(1700000, 1, "Put", "k1", "v2");
  for (uint64_t to : {3, 5}) {
    Time at = msg(1700000, 4, to, "MsgAppend", AppendFields(3, 2, 2, commit, 1), false);
    msg(at, to, 4, "MsgAppendResponse", {{"term", "3"}, {"index", "4"}}, false);
    rec.State(at, to, Make("follower", 3, 4, 4, last + 2, commit, commit));
  }
  rec.State(1740000, 4, Make("leader", 3, 4, 4, last + 2, last + 2, last + 2));
  rec.Respond(1750000, put2, "ok");
  uint64_t get = rec.Invoke(1800000, 2, "Get", "k1", "");
  rec.Respond(1820000, get, "ok", "v1");
  rec.Highlight(get,
                "stale read: Put k1=v2 finished at 1.750000 s, before this Get began, yet it "
                "read v1 (from node 1, a leader of an old term)");
  rec.Invoke(2100000, 2, "Put", "k2", "x");
  // After the heal node 1 campaigns in term 3; node 3 votes a second time in term 3.
  rec.State(2300000, 1, Make("candidate", 3, 1, 0, last, commit, commit));
  for (uint64_t to : {2, 3}) {
    Time at = msg(2300000, 1, to, "MsgRequestVote", {{"term", "3"}, {"index", "2"}}, false);
    msg(at, to, 1, "MsgRequestVoteResponse", {{"term", "3"}, {"reject", "false"}}, false);
  }
  rec.AddMark(2310000, 3, "note", "node 3 grants a second vote in term 3 (the bug)");
  rec.State(kBrokenFailureTime, 1, Make("leader", 3, 1, 1, last + 1, commit, commit));
  rec.AddMark(kBrokenFailureTime, 1, "election", "node 1 won term 3 with votes from 1, 2, 3");
  rec.Fail(kBrokenFailureTime, "safety violation: two leaders in term 3 (node 1 and node 4)",
           "node 4 became leader of term 3 at 1.520000 s with votes from 3, 4, 5\n"
           "node 1 became leader of term 3 at 2.400000 s with votes from 1, 2, 3\n"
           "node 3 voted twice in term 3: for node 4, then for node 1\n"
           "replay: bazel test //raft/tests:election_2aa_test --test_env=TINYKV_SEED=7",
           {1, 4});
  for (Time t = 2400000; t < 2600000; t += 100000) {
    for (uint64_t to : {2, 3, 5}) msg(t, 1, to, "MsgHeartbeat", TermFields(3), false);
    for (uint64_t to : {2, 3, 5}) msg(t + 30000, 4, to, "MsgHeartbeat", TermFields(3), false);
  }
  return rec;
}

}  // namespace timeline::samples
