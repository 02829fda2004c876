#pragma once

// ReadyHarness: one application around one RawNode, with every step of the application loop
// exposed separately, so that a test can act *between* Ready() and Advance():
//
//   rd = h.Ready();          // what the node asks for (checked against the contract below)
//   h.Step(m); h.Propose(x); h.Tick();   // work arriving while the application is busy
//   h.Persist(rd);           // snapshot, entries, hard state into the MemoryStorage ("disk")
//   h.Send(rd);              // the messages go out (recorded in sent())
//   h.Apply(rd);             // the committed entries go to the state machine (applied_entries())
//   h.Advance(rd);
//
// (Round() does all of them at once.) A test can also crash the application at any point
// (CrashAndRestart) and start a new node over what was persisted.
//
// Every Ready() is checked against what the application has already done, and a broken rule
// is reported as a gtest failure naming it ("Ready contract broken (<rule>)"):
//
//   committed entries    start right after the last entry applied and acknowledged by
//                        Advance (or after the Ready's snapshot): nothing skipped, nothing
//                        handed out again; Apply() also checks each was persisted first;
//   entries              never repeat an entry (same index and term) that an earlier Ready
//                        handed out and Advance acknowledged;
//   snapshot             never one at or below a snapshot already acknowledged;
//   hard_state           set exactly when term, vote or commit differ from the HardState last
//                        acknowledged (so a change is never lost and never written twice);
//   soft_state           set exactly when leader or role differ from the last acknowledged;
//   HasReady()           true exactly when Ready() has something to do.
//
// Messages are not checked automatically (two identical heartbeats are legal): tests count
// sent() themselves.
//
// After every Advance of a Ready the application persisted, the Ready contract audit
// (raft/testing/ready_contract.h) compares what the node holds with what a restart from
// storage would load, and fails as "Ready contract audit: node <id>, field <field>, after
// Ready #<n> ...":
//
//   the node's term, vote, commit, log (last index and the term at each index) and pending
//   snapshot *when the Ready was taken* must all be on disk once that Ready is persisted
//   (a change made before the Ready and not carried by it);
//   the Ready's messages and committed entries must be justified by the disk (a vote granted,
//   an entry acknowledged or applied, must be durable first);
//   the node's state *after Advance* must be on disk or in the next Ready (a change made by an
//   input that arrived between Ready() and Advance(), or by Advance itself, is never lost).
//
// Settle() also checks, once HasReady() is false, that memory and disk agree; a restart
// checks that the node starts from exactly what storage holds. A Ready that the test did not
// Persist() before Advance() is not audited (the test chose to lose it).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/config.h"
#include "raft/memory_storage.h"
#include "raft/raft.h"
#include "raft/rawnode.h"
#include "raft/testing/ready_contract.h"

namespace raft::test {

// Everything a Ready holds, one field per line (entries with their payloads), for failure
// messages and for comparing two Readys as text.
std::string DescribeReady(const Ready& rd);

// True when the Ready asks for nothing at all.
bool IsEmptyReady(const Ready& rd);

class ReadyHarness {
 public:
  // A fresh node `id` of the group `peers` on an empty MemoryStorage.
  ReadyHarness(uint64_t id, const std::vector<uint64_t>& peers, int election = 10,
               int heartbeat = 1);
  // An application restarting over a storage that already holds state: the group comes from
  // the storage's ConfState, and the application had applied up to `applied`.
  ReadyHarness(uint64_t id, std::unique_ptr<MemoryStorage> storage, uint64_t applied,
               int election = 10, int heartbeat = 1);

  RawNode& node() { return *node_; }
  Raft& raft() { return *node_->raft; }
  MemoryStorage& storage() { return *storage_; }

  // --- Inputs: allowed at any moment, between Ready() and Advance() too ---
  Error Step(const eraftpb::Message& m);
  void Tick(int n = 1);
  Error Propose(const std::string& data);
  Error Campaign();

  // --- The application loop, one step at a time ---
  // node().Ready(), checked against the contract (see the top of this file).
  raft::Ready Ready();
  // Writes the Ready's snapshot, entries and hard state to storage. The snapshot's state also
  // becomes the application's state here (raftstore's ApplySnapshot does both at once).
  void Persist(const raft::Ready& rd);
  // Records the Ready's messages as sent.
  void Send(const raft::Ready& rd);
  // Applies the Ready's committed entries to the application's state; checks that each one
  // continues the applied sequence and was persisted.
  void Apply(const raft::Ready& rd);
  // node().Advance(rd), and the application's record of what is acknowledged.
  void Advance(const raft::Ready& rd);
  // Ready, Persist, Send, Apply, Advance. Returns the Ready.
  raft::Ready Round();
  // Rounds while HasReady() (at most max_rounds, so a node that always has work cannot hang
  // the test). Returns the number of rounds.
  int Settle(int max_rounds = 10);

  // The application crashes: the RawNode and everything not persisted are lost; a new node
  // starts over the same storage with Config::applied = the last index the application
  // applied (its state machine is durable, as raftstore's apply state is).
  void CrashAndRestart();

  // --- What the application did ---
  // Every entry applied, in order (a snapshot restore is not an entry; see applied_index()).
  const std::vector<eraftpb::Entry>& applied_entries() const { return applied_; }
  // The index the state machine is at: the last entry applied, or a restored snapshot's.
  uint64_t applied_index() const { return applied_index_; }
  // Every message sent (Send), in order.
  const std::vector<eraftpb::Message>& sent() const { return sent_; }
  // The messages sent since the last call.
  std::vector<eraftpb::Message> TakeSent();
  // The payloads of the applied entries that carry data, in order.
  std::vector<std::string> AppliedData() const;

  // The node's indexes that only Advance may move, and its outbox size.
  struct Marks {
    uint64_t stabled = 0;
    uint64_t applied = 0;
    uint64_t committed = 0;
    uint64_t pending_snapshot = 0;
    size_t outbox = 0;
    std::string ToString() const;
  };
  Marks marks() const;
  // A gtest failure for each mark that must not move before Advance but did since `before`:
  // stabled and applied (only Advance says entries are on disk or applied). `what` says what
  // happened in between, for the message.
  void ExpectNothingAdvancedSince(const Marks& before, const std::string& what);

  // The node and the application's view: for failure messages.
  std::string Describe() const;

 private:
  void Start(uint64_t applied);
  void CheckReady(const raft::Ready& rd, bool has_ready);
  void Broken(const std::string& rule, const std::string& detail, const raft::Ready& rd);
  // Records an input (for the audit's messages: which input came before which Ready).
  void Note(std::string what);
  // The index storage's log starts at: where the audit starts reading the node's log.
  uint64_t DiskBase() const;
  // A gtest failure for the first breach, if any; `step` says when.
  void ReportBreaches(const std::vector<Breach>& breaches, const std::string& step);
  // The audit after Advance(rd) (see the top of this file).
  void AuditAdvance(const raft::Ready& rd);

  uint64_t id_ = 0;
  std::vector<uint64_t> peers_;
  int election_ = 10;
  int heartbeat_ = 1;
  uint64_t incarnation_ = 0;
  std::unique_ptr<MemoryStorage> storage_;
  std::unique_ptr<RawNode> node_;

  // The application's state machine and outbox.
  std::vector<eraftpb::Entry> applied_;
  uint64_t applied_index_ = 0;
  std::vector<eraftpb::Message> sent_;
  size_t taken_ = 0;

  // What Advance acknowledged: the baseline each Ready is checked against.
  uint64_t acked_applied_ = 0;
  uint64_t acked_snapshot_ = 0;
  eraftpb::HardState acked_hard_state_;
  SoftState acked_soft_state_;
  // Entries (index -> term) handed out by acknowledged Readys and still in the log.
  std::map<uint64_t, uint64_t> acked_entries_;

  // For the Ready contract audit: every input so far (its description), the Readys handed out
  // since the last Advance with what the node held when each was taken, and the last Ready
  // persisted.
  std::vector<std::string> inputs_;
  struct Handed {
    std::string text;  // DescribeReady: which Ready it was
    DurableState memory;
    size_t inputs = 0;  // inputs_.size() when it was taken
    uint64_t number = 0;
  };
  std::vector<Handed> handed_;
  uint64_t readys_ = 0;
  std::string persisted_;
};

}  // namespace raft::test
