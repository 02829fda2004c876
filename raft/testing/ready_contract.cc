#include "raft/testing/ready_contract.h"

#include <algorithm>
#include <sstream>

#include "raft/util.h"

namespace raft::test {

namespace {

// A log longer than this is not compared entry by entry (a stub answering garbage must not
// make the audit loop for ever); the test fails elsewhere long before a real log gets there.
constexpr uint64_t kMaxAuditedEntries = 1 << 20;

std::string Hs(const eraftpb::HardState& hs) {
  std::ostringstream os;
  os << "HardState{term=" << hs.term() << " vote=" << hs.vote() << " commit=" << hs.commit() << "}";
  return os.str();
}

// "index@term"; "?" for a term not known (0) at an index above 0 (index 0 is the empty log).
std::string Id(uint64_t index, uint64_t term) {
  return std::to_string(index) + "@" +
         (term == 0 && index != 0 ? std::string("?") : std::to_string(term));
}

std::string N(uint64_t v) { return std::to_string(v); }

// The first sentence of every explanation: what the comparison at `point` means.
std::string PointSentence(AuditPoint point) {
  switch (point) {
    case AuditPoint::kReadyHandled:
      return "The node held this in memory when the application took the Ready; the "
             "application persisted that Ready and called Advance, and a restart would load "
             "something else: the Ready did not carry the change. ";
    case AuditPoint::kAfterAdvance:
      return "After Advance the node holds this in memory, but neither its storage nor the "
             "next Ready has it: no Ready will ever carry the change (made by an input that "
             "arrived between Ready() and Advance(), or by Advance itself). ";
    case AuditPoint::kNoReady:
      return "HasReady() was false after the last input, so the application handled no Ready, "
             "yet the node holds this in memory and a restart would load something else: "
             "HasReady() must be true whenever there is something to persist. ";
    case AuditPoint::kRestarted:
      return "The node has just started over this storage, and already holds something else: "
             "a node must start from exactly what storage holds. ";
    case AuditPoint::kPersistedFromFields:
      return "The harness persisted the node straight from its fields (unstableEntries(), "
             "pending_snapshot, term/vote/committed), and storage still differs from memory. ";
  }
  return "";
}

Breach HardStateBreach(uint64_t node, const DurableState& mem, const DurableState& disk,
                       AuditPoint point) {
  const eraftpb::HardState& m = mem.hard_state;
  const eraftpb::HardState& d = disk.hard_state;
  Breach b;
  b.in_memory = Hs(m);
  b.on_disk = Hs(d);
  b.term = m.term();
  std::string why;
  if (m.term() != d.term()) {
    b.field = "HardState.term";
    if (point == AuditPoint::kRestarted) {
      why = "It came up in term " + N(m.term()) + " although storage says term " + N(d.term()) +
            ": load term, vote and commit from Storage::InitialState() when the node starts.";
    } else if (m.term() > d.term()) {
      why = "Node " + N(node) + " moved to term " + N(m.term()) +
            " (a campaign, or a message of a higher term) but its Ready did not carry "
            "HardState{term=" +
            N(m.term()) + "}: after a crash it restarts in term " + N(d.term()) +
            ", forgets it ever saw term " + N(m.term()) +
            ", and can vote a second time in it. Ready()/HasReady() must set hard_state "
            "whenever term, vote or commit differ from the HardState last handed out.";
    } else {
      why = "Its term went down in memory (" + N(d.term()) + " -> " + N(m.term()) +
            "): a term never decreases.";
    }
  } else if (m.vote() != d.vote()) {
    b.field = "HardState.vote";
    if (point == AuditPoint::kRestarted) {
      why = "It came up with vote=" + N(m.vote()) + " although storage says vote=" + N(d.vote()) +
            ": load the vote from Storage::InitialState() when the node starts.";
    } else if (m.vote() != 0) {
      why = "Your Ready did not carry HardState{vote=" + N(m.vote()) + "} although node " +
            N(node) + " voted for " + N(m.vote()) + " in term " + N(m.term()) +
            "; a restart would let it vote twice in term " + N(m.term()) +
            " (two leaders in one term). A vote granted in the current term changes neither "
            "term nor commit: Ready()/HasReady() must compare the vote too.";
    } else {
      why = "Node " + N(node) + " forgot in memory that it voted for " + N(d.vote()) + " in term " +
            N(m.term()) +
            ": the vote may only be reset when the term changes (becomeFollower of a higher "
            "term).";
    }
  } else {
    b.field = "HardState.commit";
    if (point == AuditPoint::kRestarted) {
      why = "It came up with commit=" + N(m.commit()) +
            " although storage says commit=" + N(d.commit()) +
            ": load commit from Storage::InitialState() when the node starts.";
    } else if (m.commit() > d.commit()) {
      why = "Node " + N(node) + "'s commit index moved to " + N(m.commit()) +
            " but its Ready did not carry HardState{commit=" + N(m.commit()) +
            "}: the entries up to it are handed out to apply (and answered to clients) while a "
            "restart would believe only " +
            N(d.commit()) +
            " is committed. Ready.hard_state must be set when commit moves, not only term "
            "and vote.";
    } else {
      why = "Its commit index went down in memory (" + N(d.commit()) + " -> " + N(m.commit()) +
            "): commit never decreases.";
    }
  }
  b.explanation = PointSentence(point) + why;
  return b;
}

}  // namespace

uint64_t DurableState::TermAt(uint64_t i) const {
  if (i < first || i > last || i - first >= terms.size()) return 0;
  return terms[i - first];
}

std::string DurableState::ToString() const {
  if (!error.empty()) return "(unreadable: " + error + ")";
  std::ostringstream os;
  os << Hs(hard_state) << ", log [" << first << ".." << last << "]";
  if (last >= first) os << " (last " << Id(last, TermAt(last)) << ")";
  if (snapshot_index != 0) os << ", snapshot " << Id(snapshot_index, snapshot_term);
  return os.str();
}

DurableState InMemory(const Raft& r, uint64_t from) {
  DurableState s;
  s.hard_state.set_term(r.term);
  s.hard_state.set_vote(r.vote);
  s.hard_state.set_commit(r.raft_log.committed);
  const eraftpb::Snapshot& snap = r.raft_log.pending_snapshot;
  if (!IsEmptySnap(snap)) {
    s.snapshot_index = snap.metadata().index();
    s.snapshot_term = snap.metadata().term();
    from = std::max(from, s.snapshot_index);
  }
  s.first = from;
  s.last = r.raft_log.LastIndex();
  if (s.last >= s.first && s.last - s.first < kMaxAuditedEntries) {
    s.terms.reserve(s.last - s.first + 1);
    for (uint64_t i = s.first; i <= s.last; ++i) {
      Result<uint64_t> t = r.raft_log.Term(i);
      s.terms.push_back(t.ok() ? t.value() : 0);
    }
  }
  return s;
}

DurableState OnDisk(Storage& storage, uint64_t from) {
  DurableState s;
  Result<InitialStateResult> init = storage.InitialState();
  Result<uint64_t> first = storage.FirstIndex();
  Result<uint64_t> last = storage.LastIndex();
  if (!init.ok() || !first.ok() || !last.ok()) {
    s.error = !init.ok() ? init.error().ToString()
                         : (!first.ok() ? first.error().ToString() : last.error().ToString());
    return s;
  }
  s.hard_state = init.value().hard_state;
  const uint64_t base = first.value() > 0 ? first.value() - 1 : 0;
  s.first = std::max(base, std::min(from, last.value()));
  s.last = last.value();
  if (s.last >= s.first && s.last - s.first < kMaxAuditedEntries) {
    s.terms.reserve(s.last - s.first + 1);
    for (uint64_t i = s.first; i <= s.last; ++i) {
      Result<uint64_t> t = storage.Term(i);
      s.terms.push_back(t.ok() ? t.value() : 0);
    }
  }
  s.snapshot_index = base;
  if (Result<uint64_t> t = storage.Term(base); t.ok()) s.snapshot_term = t.value();
  return s;
}

AuditKey KeyOf(const Raft& r, Storage& storage) {
  AuditKey k;
  k.term = r.term;
  k.vote = r.vote;
  k.commit = r.raft_log.committed;
  k.last = r.raft_log.LastIndex();
  if (Result<uint64_t> t = r.raft_log.Term(k.last); t.ok()) k.last_term = t.value();
  k.pending = r.raft_log.pending_snapshot.metadata().index();
  k.entries = r.raft_log.entries.size();
  if (Result<InitialStateResult> init = storage.InitialState(); init.ok()) {
    k.disk_term = init.value().hard_state.term();
    k.disk_vote = init.value().hard_state.vote();
    k.disk_commit = init.value().hard_state.commit();
  }
  if (Result<uint64_t> f = storage.FirstIndex(); f.ok()) k.disk_first = f.value();
  if (Result<uint64_t> l = storage.LastIndex(); l.ok()) {
    k.disk_last = l.value();
    if (Result<uint64_t> t = storage.Term(k.disk_last); t.ok()) k.disk_last_term = t.value();
  }
  return k;
}

DurableState WithReady(DurableState disk, const Ready& rd) {
  if (!disk.error.empty()) return disk;
  if (!IsEmptySnap(rd.snapshot) && rd.snapshot.metadata().index() > disk.snapshot_index) {
    disk.snapshot_index = rd.snapshot.metadata().index();
    disk.snapshot_term = rd.snapshot.metadata().term();
    disk.first = disk.last = disk.snapshot_index;
    disk.terms.assign(1, disk.snapshot_term);
  }
  if (!rd.entries.empty()) {
    for (const eraftpb::Entry& e : rd.entries) {
      if (e.index() <= disk.first) continue;  // compacted: MemoryStorage skips them too
      if (e.index() > disk.last + 1) break;   // a gap: storage would refuse; keep what is there
      disk.terms.resize(e.index() - disk.first);
      disk.terms.push_back(e.term());
      disk.last = e.index();
    }
  }
  if (!IsEmptyHardState(rd.hard_state)) disk.hard_state = rd.hard_state;
  return disk;
}

std::vector<Breach> CompareDurable(uint64_t node, const DurableState& memory,
                                   const DurableState& disk, AuditPoint point) {
  std::vector<Breach> out;
  if (!memory.error.empty() || !disk.error.empty()) return out;
  if (!IsHardStateEqual(memory.hard_state, disk.hard_state)) {
    out.push_back(HardStateBreach(node, memory, disk, point));
  }

  if (memory.snapshot_index != 0 && disk.snapshot_index < memory.snapshot_index) {
    Breach b;
    b.field = "snapshot";
    b.index = memory.snapshot_index;
    b.term = memory.snapshot_term;
    b.in_memory = "pending snapshot " + Id(memory.snapshot_index, memory.snapshot_term);
    b.on_disk = "log cut at " + Id(disk.snapshot_index, disk.snapshot_term);
    b.explanation = PointSentence(point) + "Node " + N(node) + " holds a snapshot at " +
                    N(memory.snapshot_index) +
                    " (from MsgSnapshot) that no handled Ready carried: Ready.snapshot must be "
                    "raft_log.pending_snapshot until Advance acknowledges that very snapshot "
                    "(and Advance must not drop one that arrived after the Ready was taken).";
    out.push_back(b);
  }

  // The log: every index both sides know, then the ends.
  const uint64_t lo = std::max(memory.first, disk.first);
  const uint64_t hi = std::min(memory.last, disk.last);
  for (uint64_t i = lo; i <= hi && lo <= hi; ++i) {
    const uint64_t mt = memory.TermAt(i);
    const uint64_t dt = disk.TermAt(i);
    if (mt == 0 || dt == 0 || mt == dt) continue;
    Breach b;
    b.field = "entries";
    b.index = i;
    b.term = mt;
    b.in_memory =
        "entry " + Id(i, mt) + " (log ends at " + Id(memory.last, memory.TermAt(memory.last)) + ")";
    b.on_disk =
        "entry " + Id(i, dt) + " (log ends at " + Id(disk.last, disk.TermAt(disk.last)) + ")";
    b.explanation =
        PointSentence(point) + "Entry " + N(i) + " has term " + N(mt) + " in node " + N(node) +
        "'s log but term " + N(dt) +
        " on disk: the node replaced it (a conflicting MsgAppend from a newer leader) and the "
        "replacement never reached a Ready (unstableEntries()), so a restart brings the old "
        "entry back. When the "
        "log is truncated at index i, stabled must drop to i-1 so that unstableEntries() hands "
        "out the new entries.";
    out.push_back(b);
    return out;
  }
  if (memory.last > disk.last && memory.last >= memory.first && memory.TermAt(memory.last) == 0) {
    // The node claims an index it holds neither an entry nor a pending snapshot for: its log
    // was moved in memory (a snapshot restored) without the snapshot staying pending.
    Breach b;
    b.field = "snapshot";
    b.index = memory.last;
    b.in_memory = "log ends at " + Id(memory.last, 0) + " with no entry and no pending snapshot";
    b.on_disk = "log ends at " + Id(disk.last, disk.TermAt(disk.last));
    b.explanation = PointSentence(point) + "Node " + N(node) + "'s log jumped to index " +
                    N(memory.last) +
                    " without an entry there and without a pending snapshot: it restored a "
                    "snapshot in memory, but the snapshot never reached Ready.snapshot, so the "
                    "disk never gets it. Keep it in raft_log.pending_snapshot (Term(index) "
                    "answers from it) until Advance acknowledges the Ready that carried it.";
    out.push_back(b);
  } else if (memory.last > disk.last && memory.last >= memory.first) {
    const uint64_t from = std::max(disk.last + 1, memory.first);
    Breach b;
    b.field = "entries";
    b.index = from;
    b.term = memory.TermAt(from);
    b.in_memory = "log ends at " + Id(memory.last, memory.TermAt(memory.last));
    b.on_disk = "log ends at " + Id(disk.last, disk.TermAt(disk.last));
    b.explanation = PointSentence(point) + "Entries " + N(from) + ".." + N(memory.last) +
                    " are in node " + N(node) +
                    "'s log but not on disk: a crash loses them although the node may already "
                    "have acknowledged them. Ready.entries must hand out every entry after "
                    "stabled (unstableEntries() = (stabled, LastIndex()]), HasReady() must be "
                    "true while there are any, and Advance may only move stabled to the last "
                    "entry the Ready it acknowledges carried.";
    out.push_back(b);
  } else if (memory.last < disk.last) {
    Breach b;
    b.field = "entries";
    b.index = memory.last + 1;
    b.term = disk.TermAt(memory.last + 1);
    b.in_memory = "log ends at " + Id(memory.last, memory.TermAt(memory.last));
    b.on_disk = "log ends at " + Id(disk.last, disk.TermAt(disk.last));
    b.explanation = PointSentence(point) + "Storage holds entries " + N(memory.last + 1) + ".." +
                    N(disk.last) + " that node " + N(node) +
                    "'s log no longer has: a restart would bring back entries the node dropped "
                    "(truncated, or cut by a snapshot, without the change reaching a Ready).";
    out.push_back(b);
  }
  return out;
}

std::vector<Breach> AuditSends(uint64_t node, const std::vector<eraftpb::Message>& msgs,
                               const DurableState& disk) {
  std::vector<Breach> out;
  if (!disk.error.empty()) return out;
  const eraftpb::HardState& d = disk.hard_state;
  for (const eraftpb::Message& m : msgs) {
    if (m.from() != node || IsLocalMsg(m.msg_type())) continue;
    // Decide first, describe only a breach: this runs for every message of every run.
    enum { kNone, kGrant, kCampaign, kAck, kTerm } kind = kNone;
    if (m.msg_type() == eraftpb::MsgRequestVoteResponse && !m.reject() &&
        (d.term() < m.term() || (d.term() == m.term() && d.vote() != m.to()))) {
      kind = kGrant;
    } else if (m.msg_type() == eraftpb::MsgRequestVote &&
               (d.term() < m.term() || (d.term() == m.term() && d.vote() != node))) {
      kind = kCampaign;
    } else if (m.msg_type() == eraftpb::MsgAppendResponse && !m.reject() && d.term() == m.term() &&
               m.index() > disk.last) {
      kind = kAck;
    } else if (m.term() > d.term()) {
      kind = kTerm;
    }
    if (kind == kNone) continue;
    Breach b;
    b.field = "message";
    b.term = m.term();
    b.in_memory = "sends " + DescribeMessage(m);
    b.on_disk = Hs(d) + ", log ends at " + Id(disk.last, disk.TermAt(disk.last));
    const std::string before = "Node " + N(node) + " sends " + DescribeMessage(m) + " ";
    switch (kind) {
      case kGrant:
        b.explanation = before + "granting its vote to " + N(m.to()) + " in term " + N(m.term()) +
                        ", but the disk says " + Hs(d) +
                        ": a crash right after sending lets it vote again in term " + N(m.term()) +
                        ". The vote must be in the HardState of the Ready that carries the grant "
                        "(set r.vote before replying, and report vote changes in Ready).";
        break;
      case kCampaign:
        b.explanation = before + "campaigning in term " + N(m.term()) + ", but the disk says " +
                        Hs(d) +
                        ": becoming a candidate changes term and vote (for itself), and both "
                        "must be in the Ready that carries the vote requests.";
        break;
      case kAck:
        b.index = m.index();
        b.explanation = before + "acknowledging entries up to " + N(m.index()) +
                        ", but the log on disk ends at " + N(disk.last) +
                        ": the leader counts the acknowledgement toward commit, so a crash could "
                        "lose a committed entry. Entries must be in the Ready (persisted) before "
                        "the response that acknowledges them is sent.";
        break;
      default:
        b.explanation = before + "in term " + N(m.term()) +
                        ", but the disk's HardState is in term " + N(d.term()) +
                        ": a node must not speak in a term it has not made durable (the term "
                        "change belongs in the Ready that carries this message).";
        break;
    }
    out.push_back(b);
  }
  return out;
}

std::vector<Breach> AuditApplies(uint64_t node, const std::vector<eraftpb::Entry>& committed,
                                 const DurableState& disk) {
  std::vector<Breach> out;
  if (!disk.error.empty()) return out;
  for (const eraftpb::Entry& e : committed) {
    const uint64_t dt = disk.TermAt(e.index());
    const bool on_disk = dt == e.term() || (e.index() < disk.first);  // older: compacted
    if (on_disk && e.index() <= disk.hard_state.commit()) continue;
    Breach b;
    b.field = "committed_entries";
    b.index = e.index();
    b.term = e.term();
    b.in_memory = "hands out entry " + Id(e.index(), e.term()) + " to apply";
    b.on_disk = Hs(disk.hard_state) + ", entry " + N(e.index()) +
                (dt == 0 ? std::string(" absent") : " has term " + N(dt));
    b.explanation =
        "Node " + N(node) + " hands out entry " + Id(e.index(), e.term()) + " to apply, but " +
        (on_disk ? "the commit index on disk is only " + N(disk.hard_state.commit())
                 : std::string("that entry is not on disk")) +
        ": an entry may be applied (and its client answered) only once it and the commit that "
        "covers it are durable — they must travel in this Ready or an earlier one.";
    out.push_back(b);
    break;
  }
  return out;
}

std::string FormatBreach(uint64_t node, const Breach& b, const std::string& step,
                         const std::string& replay) {
  std::ostringstream os;
  os << "Ready contract audit: node " << node << ", field " << b.field << ", after " << step
     << "\n    the node:             " << b.in_memory << "\n    a restart would load: " << b.on_disk
     << "\n    " << b.explanation;
  if (!replay.empty()) os << "\n    replay: " << replay;
  return os.str();
}

}  // namespace raft::test
