#pragma once

// The Ready contract audit: "nothing is acted on (sent, applied, answered) before what
// justifies it is durable", checked right after the application handled a Ready.
//
// A node keeps two copies of everything that must survive a crash — term, vote and commit
// (the HardState), the log, a pending snapshot: the one in memory and the one the
// application wrote to storage because a Ready asked it to. Once the application has
// persisted a Ready and called Advance, the two must agree; a change that was made in memory
// but never reached a Ready only shows up much later, when a crash happens to hit the window
// (a node that votes twice in a term, an acknowledged entry that is gone after a restart).
// This audit compares the two copies at once and names the field, the node and the step.
//
// The harnesses that drive nodes run it after every Ready they handle, on by default:
//   raft/sim/cluster.cc         (the simulator, both drivers; the hidden suites run on it)
//   raft/testing/ready_harness  (the 2AC/2C unit harness around one RawNode)
//   raft/testing/network        (the 2AA/2AB unit network, when SetPersistence(true))
//
// What a correct node may hold in memory and not on disk: nothing that survives a crash, once
// the Ready was handled and no input arrived in between. Inputs that arrive between Ready()
// and Advance() (only the unit harness allows that) may change the node again; those changes
// must then be in the *next* Ready, so the harness compares memory with "disk + next Ready"
// (WithReady). Soft state, the outbox and `applied` are not durable and are not audited here.
//
// The functions below know nothing about gtest or the simulator: they return Breaches, and
// each harness reports them its own way (ADD_FAILURE, or a safety violation of the run).

#include <cstdint>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/raft.h"
#include "raft/rawnode.h"
#include "raft/storage.h"

namespace raft::test {

// What survives a crash, seen from one side: the node's memory, or its storage.
struct DurableState {
  eraftpb::HardState hard_state;
  // Memory: the pending snapshot not yet handed out (0: none). Disk: the compaction point
  // (storage's FirstIndex() - 1), i.e. the newest snapshot the log was cut at.
  uint64_t snapshot_index = 0;
  uint64_t snapshot_term = 0;
  // Terms are known for indexes [first, last]; terms[i - first] is 0 where a side could not
  // answer (compacted).
  uint64_t first = 0;
  uint64_t last = 0;
  std::vector<uint64_t> terms;
  // Set when a side could not be read at all (a storage error): nothing is compared then.
  std::string error;

  // The term at i, 0 when unknown.
  uint64_t TermAt(uint64_t i) const;
  // "HardState{term=5 vote=2 commit=7}, log [0..9] (last 9@5), pending snapshot 4@2"
  std::string ToString() const;
};

// What the node holds in memory: term, vote, committed, its log's LastIndex() and the term of
// every index from `from` on (from the pending snapshot's index if that is higher).
DurableState InMemory(const Raft& r, uint64_t from);
// What a restart from `storage` would load: InitialState's HardState, the log from the
// compaction point to LastIndex(), the compaction point. With `from` above the compaction
// point, only the terms from `from` on are read (first = from): a cheaper view for checks
// that look at the end of the log only.
DurableState OnDisk(Storage& storage, uint64_t from = 0);

// A summary of both sides that costs O(1) to take: term, vote, commit, last index and its term,
// the pending snapshot and the number of entries in memory; HardState, first and last index
// and the last term on disk. A harness that audits after every step may skip the O(log)
// comparison while the key is the one of its last clean audit (a change that leaves all of
// these alone would have to rewrite the middle of a log and nothing else), as long as it still
// compares in full now and then.
struct AuditKey {
  uint64_t term = 0, vote = 0, commit = 0, last = 0, last_term = 0, pending = 0, entries = 0;
  uint64_t disk_term = 0, disk_vote = 0, disk_commit = 0, disk_first = 0, disk_last = 0,
           disk_last_term = 0;
  bool operator==(const AuditKey&) const = default;
};
AuditKey KeyOf(const Raft& r, Storage& storage);
// `disk` once the application has handled `rd` too: its snapshot, entries and hard state
// written on top (as MemoryStorage does it).
DurableState WithReady(DurableState disk, const Ready& rd);

// One broken rule.
struct Breach {
  // The durable field, as a student knows it: "HardState.vote", "HardState.term",
  // "HardState.commit", "entries", "snapshot", "message", "committed_entries".
  std::string field;
  uint64_t index = 0;
  uint64_t term = 0;
  std::string in_memory;  // what the node holds / what it acted on
  std::string on_disk;    // what a restart would load
  // What it means and what the student probably forgot, in a sentence or two.
  std::string explanation;
};

// Where in the application loop a comparison is made: it changes what a difference means.
enum class AuditPoint {
  // The node's memory when the handled Ready was taken, against the disk after persisting it:
  // a difference is a change the Ready did not carry.
  kReadyHandled,
  // The node's memory after Advance, against the disk plus the next Ready: a difference is a
  // change no Ready carries (lost by Advance, or never reported).
  kAfterAdvance,
  // HasReady() was false, so the application handled no Ready after the last input: a
  // difference is a change HasReady() did not announce.
  kNoReady,
  // A node that just started over its storage: a difference is state it did not load.
  kRestarted,
  // A bare Raft persisted straight from its fields (no Ready): a difference means
  // unstableEntries()/stabled do not describe what is on disk.
  kPersistedFromFields,
};

// The differences between what `memory` holds and what `disk` holds, most important first
// (HardState, snapshot, log), with explanations for `node` at `point`.
std::vector<Breach> CompareDurable(uint64_t node, const DurableState& memory,
                                   const DurableState& disk, AuditPoint point);

// Messages about to be sent that `disk` does not justify: a granted vote that is not on disk,
// a campaign for a term whose vote for itself is not on disk, an append acknowledged for
// entries not on disk, any message in a term newer than the disk's.
std::vector<Breach> AuditSends(uint64_t node, const std::vector<eraftpb::Message>& msgs,
                               const DurableState& disk);
// Committed entries about to be applied that `disk` does not hold, or holds as uncommitted.
std::vector<Breach> AuditApplies(uint64_t node, const std::vector<eraftpb::Entry>& committed,
                                 const DurableState& disk);

// The failure message: field, node, step, in memory vs on disk, the explanation, and how to
// replay it. `step` says what just happened ("step 17: delivered MsgRequestVote 2->3 ...").
std::string FormatBreach(uint64_t node, const Breach& b, const std::string& step,
                         const std::string& replay);

}  // namespace raft::test
