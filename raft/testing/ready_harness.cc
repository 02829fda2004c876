#include "raft/testing/ready_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <utility>

#include "raft/testing/describe.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"
#include "testutil/seed.h"

namespace raft::test {

namespace {

std::string SoftText(const SoftState& s) {
  return "{lead=" + std::to_string(s.lead) + " " + StateName(s.raft_state) + "}";
}

std::string HardText(const eraftpb::HardState& hs) {
  return IsEmptyHardState(hs) ? "(empty)" : DescribeHardState(hs);
}

eraftpb::HardState CurrentHardState(const Raft& r) {
  eraftpb::HardState hs;
  hs.set_term(r.term);
  hs.set_vote(r.vote);
  hs.set_commit(r.raft_log.committed);
  return hs;
}

// "" when the entries have consecutive indexes, else what is wrong.
std::string Gap(const std::vector<eraftpb::Entry>& ents) {
  for (size_t i = 1; i < ents.size(); ++i) {
    if (ents[i].index() != ents[i - 1].index() + 1) {
      return "entry " + std::to_string(ents[i].index()) + " follows entry " +
             std::to_string(ents[i - 1].index());
    }
  }
  return "";
}

}  // namespace

std::string DescribeReady(const Ready& rd) {
  std::ostringstream os;
  os << "  soft_state: " << (rd.soft_state ? SoftText(*rd.soft_state) : "(unchanged)");
  os << "\n  hard_state: " << HardText(rd.hard_state);
  os << "\n  entries: " << DescribeEntriesWithData(rd.entries);
  os << "\n  snapshot: ";
  if (IsEmptySnap(rd.snapshot)) {
    os << "(none)";
  } else {
    os << rd.snapshot.metadata().index() << "@" << rd.snapshot.metadata().term();
  }
  os << "\n  committed_entries: " << DescribeEntriesWithData(rd.committed_entries);
  os << "\n  messages:\n" << DescribeMessages(rd.messages);
  for (const auto& m : rd.messages) {
    // DescribeMessage leaves payloads out; two Readys must agree on those too.
    for (const auto& e : m.entries()) {
      if (!e.data().empty()) os << "\n    payload " << e.index() << ":" << e.data();
    }
  }
  return os.str();
}

bool IsEmptyReady(const Ready& rd) {
  return !rd.soft_state && IsEmptyHardState(rd.hard_state) && rd.entries.empty() &&
         IsEmptySnap(rd.snapshot) && rd.committed_entries.empty() && rd.messages.empty();
}

ReadyHarness::ReadyHarness(uint64_t id, const std::vector<uint64_t>& peers, int election,
                           int heartbeat)
    : id_(id),
      peers_(peers),
      election_(election),
      heartbeat_(heartbeat),
      storage_(std::make_unique<MemoryStorage>()) {
  Start(0);
}

ReadyHarness::ReadyHarness(uint64_t id, std::unique_ptr<MemoryStorage> storage, uint64_t applied,
                           int election, int heartbeat)
    : id_(id), election_(election), heartbeat_(heartbeat), storage_(std::move(storage)) {
  applied_index_ = applied;
  Start(applied);
}

void ReadyHarness::Start(uint64_t applied) {
  node_.reset();
  Config c = NewTestConfig(id_, peers_, election_, heartbeat_, storage_.get(),
                           NodeSeed(id_) + 7919 * incarnation_);
  c.applied = applied;
  ++incarnation_;
  // The baseline of a node that just started: what storage holds is persisted and
  // acknowledged, the state machine is at `applied`, a follower with no known leader.
  Result<InitialStateResult> init = storage_->InitialState();
  acked_hard_state_ = init.ok() ? init.value().hard_state : eraftpb::HardState();
  acked_soft_state_ = SoftState{};
  acked_applied_ = applied;
  acked_snapshot_ = storage_->Snapshot().ok() ? storage_->Snapshot().value().metadata().index() : 0;
  acked_entries_.clear();
  const uint64_t first = storage_->FirstIndex().value();
  const uint64_t last = storage_->LastIndex().value();
  if (last >= first) {
    // Bound to a name: a range-for over `Entries(...).value()` would iterate a reference into
    // a temporary Result that dies before the loop body runs (ASan: stack-use-after-scope).
    const Result<std::vector<eraftpb::Entry>> entries = storage_->Entries(first, last + 1);
    for (const eraftpb::Entry& e : entries.value()) {
      acked_entries_[e.index()] = e.term();
    }
  }
  node_ = std::make_unique<RawNode>(c);
  handed_.clear();
  persisted_.clear();
  Note(incarnation_ == 1 ? "the start of node " + std::to_string(id_)
                         : "restart #" + std::to_string(incarnation_ - 1) + " of node " +
                               std::to_string(id_) + " over its storage");
  ReportBreaches(
      CompareDurable(id_, InMemory(raft(), DiskBase()), OnDisk(*storage_), AuditPoint::kRestarted),
      inputs_.back());
}

void ReadyHarness::Note(std::string what) {
  inputs_.push_back("input #" + std::to_string(inputs_.size() + 1) + ": " + std::move(what));
}

uint64_t ReadyHarness::DiskBase() const {
  Result<uint64_t> first = storage_->FirstIndex();
  return first.ok() && first.value() > 0 ? first.value() - 1 : 0;
}

Error ReadyHarness::Step(const eraftpb::Message& m) {
  Note("Step(" + DescribeMessage(m) + ")");
  return node_->Step(m);
}

Error ReadyHarness::Propose(const std::string& data) {
  Note("Propose(\"" + data.substr(0, 24) + "\")");
  return node_->Propose(data);
}

Error ReadyHarness::Campaign() {
  Note("Campaign()");
  return node_->Campaign();
}

void ReadyHarness::Tick(int n) {
  Note("Tick(" + std::to_string(n) + ")");
  for (int i = 0; i < n; ++i) node_->Tick();
}

void ReadyHarness::ReportBreaches(const std::vector<Breach>& breaches, const std::string& step) {
  if (breaches.empty()) return;
  ADD_FAILURE() << FormatBreach(id_, breaches.front(), step, testutil::ReplayCommand()) << "\n  "
                << Describe();
}

void ReadyHarness::AuditAdvance(const raft::Ready& rd) {
  const std::string text = DescribeReady(rd);
  if (text != persisted_) return;  // not persisted: nothing to compare with
  auto it = std::find_if(handed_.rbegin(), handed_.rend(),
                         [&](const Handed& h) { return h.text == text; });
  if (it == handed_.rend()) return;  // a Ready the test built itself
  const Handed& h = *it;
  std::string step = "Ready #" + std::to_string(h.number) + ", taken after " +
                     (h.inputs > 0 ? inputs_[h.inputs - 1] : std::string("no input"));
  if (inputs_.size() > h.inputs) {
    step += " (and " + std::to_string(inputs_.size() - h.inputs) +
            " more input(s) before its Advance, the last " + inputs_.back() + ")";
  }
  // One report per Advance: the first rule broken says the most (the others follow from it).
  const DurableState disk = OnDisk(*storage_);
  std::vector<Breach> breaches = CompareDurable(id_, h.memory, disk, AuditPoint::kReadyHandled);
  if (breaches.empty()) breaches = AuditSends(id_, rd.messages, disk);
  if (breaches.empty()) breaches = AuditApplies(id_, rd.committed_entries, disk);
  if (!breaches.empty()) {
    ReportBreaches(breaches, step);
    return;
  }
  // Whatever changed since is for the next Ready to carry (Ready() consumes nothing).
  const raft::Ready next = node_->Ready();
  ReportBreaches(CompareDurable(id_, InMemory(raft(), disk.first), WithReady(disk, next),
                                AuditPoint::kAfterAdvance),
                 "the Advance of " + step);
}

void ReadyHarness::Broken(const std::string& rule, const std::string& detail,
                          const raft::Ready& rd) {
  ADD_FAILURE() << "Ready contract broken (" << rule << "): " << detail << "\n Ready:\n"
                << DescribeReady(rd) << "\n  " << Describe();
}

raft::Ready ReadyHarness::Ready() {
  const bool has_ready = node_->HasReady();
  raft::Ready rd = node_->Ready();
  CheckReady(rd, has_ready);
  handed_.push_back(
      Handed{DescribeReady(rd), InMemory(raft(), DiskBase()), inputs_.size(), ++readys_});
  return rd;
}

void ReadyHarness::CheckReady(const raft::Ready& rd, bool has_ready) {
  if (has_ready && IsEmptyReady(rd)) {
    Broken("HasReady",
           "HasReady() is true but Ready() holds nothing: an application would loop "
           "forever",
           rd);
  }
  if (!has_ready && !IsEmptyReady(rd)) {
    Broken("HasReady",
           "HasReady() is false but Ready() holds work: an application that "
           "checks HasReady() first would never do it",
           rd);
  }

  // Committed entries: right after the last entry acknowledged (or the Ready's snapshot).
  const uint64_t snap = rd.snapshot.metadata().index();
  if (!IsEmptySnap(rd.snapshot) && snap <= acked_snapshot_) {
    Broken("snapshot",
           "the snapshot at " + std::to_string(snap) +
               " is not newer than the one already handed out and acknowledged (at " +
               std::to_string(acked_snapshot_) + "): a snapshot is handed out once",
           rd);
  }
  if (!rd.committed_entries.empty()) {
    const uint64_t want = (IsEmptySnap(rd.snapshot) ? acked_applied_ : snap) + 1;
    const uint64_t got = rd.committed_entries.front().index();
    if (got < want) {
      Broken("committed entries",
             "they start at " + std::to_string(got) + ", but everything up to " +
                 std::to_string(want - 1) +
                 " was already handed out and acknowledged by Advance: entries would be applied "
                 "twice",
             rd);
    } else if (got > want) {
      Broken("committed entries",
             "they start at " + std::to_string(got) + ", but only " + std::to_string(want - 1) +
                 " was applied: entries " + std::to_string(want) + ".." + std::to_string(got - 1) +
                 " would never be applied",
             rd);
    }
    if (std::string gap = Gap(rd.committed_entries); !gap.empty()) {
      Broken("committed entries", "not consecutive: " + gap, rd);
    }
  }

  // Entries to persist: never one that was persisted and acknowledged already.
  for (const eraftpb::Entry& e : rd.entries) {
    auto it = acked_entries_.find(e.index());
    if (it != acked_entries_.end() && it->second == e.term()) {
      Broken("entries",
             "entry " + std::to_string(e.index()) + "@" + std::to_string(e.term()) +
                 " was handed out to persist by an earlier Ready and acknowledged by Advance: "
                 "Advance must move stabled past it",
             rd);
      break;
    }
  }
  if (std::string gap = Gap(rd.entries); !gap.empty()) {
    Broken("entries", "not consecutive: " + gap, rd);
  }

  // Hard state: exactly when it changed since the last acknowledged one.
  const eraftpb::HardState now = CurrentHardState(raft());
  const bool hs_changed = !IsHardStateEqual(now, acked_hard_state_);
  if (IsEmptyHardState(rd.hard_state)) {
    if (hs_changed) {
      Broken("hard_state",
             "the node is at " + HardText(now) + " but the application last persisted " +
                 HardText(acked_hard_state_) +
                 ", and Ready.hard_state is empty: the change would never reach the disk (a lost "
                 "term or vote lets the node vote twice after a crash)",
             rd);
    }
  } else if (!hs_changed) {
    Broken("hard_state",
           "Ready.hard_state is " + HardText(rd.hard_state) +
               ", the same HardState the application already persisted and acknowledged: it must "
               "be empty when term, vote and commit did not change",
           rd);
  } else if (!IsHardStateEqual(rd.hard_state, now)) {
    Broken(
        "hard_state",
        "Ready.hard_state is " + HardText(rd.hard_state) + " but the node is at " + HardText(now),
        rd);
  }

  // Soft state: exactly when leader or role changed since the last acknowledged one.
  const SoftState soft{raft().lead, raft().state};
  const bool ss_changed = !(soft == acked_soft_state_);
  if (!rd.soft_state) {
    if (ss_changed) {
      Broken("soft_state",
             "the node is " + SoftText(soft) + " but the application last saw " +
                 SoftText(acked_soft_state_) + ", and Ready.soft_state is unset",
             rd);
    }
  } else if (!ss_changed) {
    Broken("soft_state",
           "Ready.soft_state is " + SoftText(*rd.soft_state) +
               ", which the application already saw: it must be unset when nothing changed",
           rd);
  } else if (!(*rd.soft_state == soft)) {
    Broken("soft_state",
           "Ready.soft_state is " + SoftText(*rd.soft_state) + " but the node is " + SoftText(soft),
           rd);
  }
}

void ReadyHarness::Persist(const raft::Ready& rd) {
  persisted_.clear();
  bool ok = true;
  if (!IsEmptySnap(rd.snapshot)) {
    if (Error err = storage_->ApplySnapshot(rd.snapshot)) {
      ok = false;
      ADD_FAILURE() << "the application could not persist the Ready's snapshot at "
                    << rd.snapshot.metadata().index() << ": " << err.ToString() << "\n"
                    << DescribeReady(rd);
    } else {
      applied_index_ = rd.snapshot.metadata().index();
    }
  }
  if (!IsEmptyHardState(rd.hard_state)) storage_->SetHardState(rd.hard_state);
  if (Error err = storage_->Append(rd.entries)) {
    ok = false;
    ADD_FAILURE() << "the application could not persist the Ready's entries "
                  << DescribeEntriesWithData(rd.entries) << ": " << err.ToString()
                  << "\n  Ready.entries must continue what the node already handed out.\n"
                  << DescribeReady(rd);
  }
  if (ok) persisted_ = DescribeReady(rd);
}

void ReadyHarness::Send(const raft::Ready& rd) {
  sent_.insert(sent_.end(), rd.messages.begin(), rd.messages.end());
}

void ReadyHarness::Apply(const raft::Ready& rd) {
  for (const eraftpb::Entry& e : rd.committed_entries) {
    if (e.index() != applied_index_ + 1) {
      ADD_FAILURE() << "Ready contract broken (committed entries): entry " << e.index()
                    << " handed out to apply, but the state machine is at " << applied_index_
                    << (e.index() <= applied_index_ ? " (applied twice)" : " (entries skipped)")
                    << "\n Ready:\n"
                    << DescribeReady(rd) << "\n  " << Describe();
      return;
    }
    Result<uint64_t> t = storage_->Term(e.index());
    if (!t.ok() || t.value() != e.term()) {
      ADD_FAILURE() << "Ready contract broken (committed entries): entry " << e.index() << "@"
                    << e.term() << " handed out to apply was never persisted (storage: "
                    << (t.ok() ? "term " + std::to_string(t.value()) : t.error().ToString())
                    << "); only entries on stable storage may be applied\n Ready:\n"
                    << DescribeReady(rd) << "\n  " << Describe();
      return;
    }
    applied_.push_back(e);
    applied_index_ = e.index();
  }
}

void ReadyHarness::Advance(const raft::Ready& rd) {
  if (rd.soft_state) acked_soft_state_ = *rd.soft_state;
  if (!IsEmptyHardState(rd.hard_state)) acked_hard_state_ = rd.hard_state;
  if (!IsEmptySnap(rd.snapshot)) {
    acked_snapshot_ = rd.snapshot.metadata().index();
    acked_applied_ = std::max(acked_applied_, acked_snapshot_);
    acked_entries_.clear();  // a snapshot replaces the whole log
  }
  if (!rd.entries.empty()) {
    acked_entries_.erase(acked_entries_.lower_bound(rd.entries.front().index()),
                         acked_entries_.end());
    for (const eraftpb::Entry& e : rd.entries) acked_entries_[e.index()] = e.term();
  }
  if (!rd.committed_entries.empty()) acked_applied_ = rd.committed_entries.back().index();
  node_->Advance(rd);
  AuditAdvance(rd);
  handed_.clear();
  persisted_.clear();
}

raft::Ready ReadyHarness::Round() {
  raft::Ready rd = Ready();
  Persist(rd);
  Send(rd);
  Apply(rd);
  Advance(rd);
  return rd;
}

int ReadyHarness::Settle(int max_rounds) {
  int rounds = 0;
  while (rounds < max_rounds && node_->HasReady()) {
    Round();
    ++rounds;
  }
  if (!node_->HasReady()) {
    // Nothing left to do, so nothing durable may be left only in memory.
    ReportBreaches(CompareDurable(id_, InMemory(raft(), DiskBase()), OnDisk(*storage_),
                                  rounds == 0 ? AuditPoint::kNoReady : AuditPoint::kAfterAdvance),
                   "Settle() (" + std::to_string(rounds) + " round(s); the last " +
                       (inputs_.empty() ? std::string("input: none") : inputs_.back()) + ")");
  }
  return rounds;
}

void ReadyHarness::CrashAndRestart() { Start(applied_index_); }

std::vector<eraftpb::Message> ReadyHarness::TakeSent() {
  std::vector<eraftpb::Message> out(sent_.begin() + taken_, sent_.end());
  taken_ = sent_.size();
  return out;
}

std::vector<std::string> ReadyHarness::AppliedData() const {
  std::vector<std::string> out;
  for (const eraftpb::Entry& e : applied_) {
    if (!e.data().empty()) out.push_back(e.data());
  }
  return out;
}

std::string ReadyHarness::Marks::ToString() const {
  std::ostringstream os;
  os << "stabled=" << stabled << " applied=" << applied << " committed=" << committed
     << " pending_snapshot=" << pending_snapshot << " outbox=" << outbox;
  return os.str();
}

ReadyHarness::Marks ReadyHarness::marks() const {
  const Raft& r = *node_->raft;
  Marks m;
  m.stabled = r.raft_log.stabled;
  m.applied = r.raft_log.applied;
  m.committed = r.raft_log.committed;
  m.pending_snapshot = r.raft_log.pending_snapshot.metadata().index();
  m.outbox = r.msgs.size();
  return m;
}

void ReadyHarness::ExpectNothingAdvancedSince(const Marks& before, const std::string& what) {
  const Marks now = marks();
  EXPECT_EQ(now.stabled, before.stabled)
      << "stabled moved from " << before.stabled << " to " << now.stabled << " after " << what
      << ", with no Advance: only Advance says entries reached the disk (a crash now would "
         "lose entries the node believes persisted)\n  "
      << Describe();
  EXPECT_EQ(now.applied, before.applied)
      << "applied moved from " << before.applied << " to " << now.applied << " after " << what
      << ", with no Advance: only Advance says entries were applied (the application may still "
         "crash before applying them)\n  "
      << Describe();
}

std::string ReadyHarness::Describe() const {
  std::ostringstream os;
  os << DescribeNode(*node_->raft) << "\n  application: applied up to " << applied_index_
     << ", acknowledged " << HardText(acked_hard_state_) << " " << SoftText(acked_soft_state_)
     << ", storage [" << storage_->FirstIndex().value() << ".." << storage_->LastIndex().value()
     << "], " << sent_.size() << " messages sent";
  return os.str();
}

}  // namespace raft::test
