#include "raftstore/testing/linearizability.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace raftstore::testing {

namespace {

constexpr int kAbsent = -1;

// A set of operation indexes, as bits.
using Bits = std::vector<uint64_t>;

struct Config {
  Bits linearized;
  int state;
  friend bool operator==(const Config&, const Config&) = default;
};

struct ConfigHash {
  size_t operator()(const Config& c) const {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ static_cast<uint64_t>(c.state + 1);
    for (uint64_t w : c.linearized) h = (h ^ w) * 0x100000001b3ULL + (h >> 29);
    return static_cast<size_t>(h);
  }
};

// One event of the doubly linked list the search walks (index 0 is the head sentinel).
struct Entry {
  int op = -1;
  bool is_call = false;
  int match = -1;  // the call's return entry / the return's call entry
  int prev = -1;
  int next = -1;
};

class KeyChecker {
 public:
  KeyChecker(std::string key, std::vector<Operation> ops, const CheckOptions& options)
      : key_(std::move(key)), ops_(std::move(ops)), options_(options) {
    // Intern the values so that the register's state is a small integer.
    for (Operation& op : ops_) {
      if (op.kind == OpKind::kPut || (op.kind == OpKind::kGet && op.found)) {
        values_.emplace(op.value, static_cast<int>(values_.size()));
      }
    }
    // Operations whose log index is known take effect in log order: rank them.
    std::vector<int> indexed;
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (ops_[i].log_index != 0) indexed.push_back(static_cast<int>(i));
    }
    std::stable_sort(indexed.begin(), indexed.end(),
                     [&](int a, int b) { return ops_[a].log_index < ops_[b].log_index; });
    rank_.assign(ops_.size(), -1);
    for (size_t r = 0; r < indexed.size(); ++r) rank_[indexed[r]] = static_cast<int>(r);
    BuildList();
  }

  // Returns true when linearizable; fills `explanation` otherwise.
  bool Check(LinearizabilityResult& result) {
    const size_t n = ops_.size();
    Bits linearized((n + 63) / 64, 0);
    int state = kAbsent;
    std::vector<std::pair<int, int>> stack;  // (call entry, state before it)
    std::unordered_set<Config, ConfigHash> cache;
    int entry = entries_[0].next;
    while (entries_[0].next != -1) {
      if (++steps_ > options_.max_steps_per_key) {
        result.gave_up = true;
        result.explanation = "key " + key_ + ": the checker gave up after " +
                             std::to_string(steps_ - 1) + " search steps on " + std::to_string(n) +
                             " operations (too many concurrent or pending operations).";
        return false;
      }
      const Entry& e = entries_[entry];
      if (e.is_call) {
        int next_state = state;
        // An operation with a log index waits for every one before it in the log.
        const bool in_log_order = rank_[e.op] < 0 || rank_[e.op] == next_rank_;
        if (in_log_order && Apply(ops_[e.op], state, next_state)) {
          Bits next_bits = linearized;
          next_bits[e.op / 64] |= uint64_t{1} << (e.op % 64);
          if (cache.insert(Config{next_bits, next_state}).second) {
            stack.emplace_back(entry, state);
            if (rank_[e.op] >= 0) ++next_rank_;
            linearized = std::move(next_bits);
            state = next_state;
            Lift(entry);
            entry = entries_[0].next;
            continue;
          }
        }
        entry = e.next;
      } else {
        // The response of an operation not yet linearized: something placed earlier is wrong.
        NoteDeadEnd(stack, state, entry);
        if (stack.empty()) return false;
        auto [call, before] = stack.back();
        stack.pop_back();
        const int op = entries_[call].op;
        if (rank_[op] >= 0) --next_rank_;
        linearized[op / 64] &= ~(uint64_t{1} << (op % 64));
        state = before;
        Unlift(call);
        entry = entries_[call].next;
      }
    }
    return true;
  }

  std::string Explain() const {
    std::string out = "key " + key_ + ": the history is not linearizable.\n";
    out += "  The longest consistent order found places " + std::to_string(best_order_.size()) +
           " of " + std::to_string(ops_.size()) + " operations";
    if (best_order_.empty()) {
      out += ".\n";
    } else {
      out += "; it ends with:\n";
      const size_t from = best_order_.size() > 8 ? best_order_.size() - 8 : 0;
      for (size_t i = from; i < best_order_.size(); ++i) {
        out += "    " + std::to_string(i + 1) + ". " + ops_[best_order_[i]].ToString() + "\n";
      }
    }
    out += "  after which " + key_ + " " + DescribeState(best_state_) + ". Then\n";
    out += "    " + ops_[blocked_op_].ToString() + "\n";
    out += "  completed without being able to take effect";
    if (const Operation& b = ops_[blocked_op_]; b.kind == OpKind::kGet) {
      out += ": it read " + (b.found ? "\"" + b.value + "\"" : std::string("nothing")) +
             ", where the order above expects " + key_ + " " + DescribeState(best_state_) +
             " (no order of the operations before it lets it read what it read)";
    }
    out += ".\n";
    if (!std::all_of(rank_.begin(), rank_.end(), [](int r) { return r < 0; })) {
      out +=
          "  (@N: the Raft log index of the entry the client's answer came from. The store "
          "applies its log in order, so these operations take effect in the order of N: a "
          "read must see every write before it in the log, including writes applied in the "
          "same Ready.)\n";
    }
    std::vector<int> order(ops_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return ops_[a].invoke_seq < ops_[b].invoke_seq; });
    out += "  All " + std::to_string(ops_.size()) + " operations on " + key_ + ", by invoke time";
    if (order.size() > options_.max_ops_listed) {
      out += " (the " + std::to_string(options_.max_ops_listed) + " nearest the failure)";
      // Keep a window around the blocked operation.
      auto pos = std::find(order.begin(), order.end(), blocked_op_) - order.begin();
      long lo = std::max<long>(0, pos - static_cast<long>(options_.max_ops_listed) / 2);
      lo = std::min<long>(lo, static_cast<long>(order.size() - options_.max_ops_listed));
      order = std::vector<int>(order.begin() + lo,
                               order.begin() + lo + static_cast<long>(options_.max_ops_listed));
    }
    out += ":\n";
    for (int i : order) out += "    " + ops_[i].ToString() + "\n";
    return out;
  }

  uint64_t steps() const { return steps_; }
  // The operation that could not take effect (after a failed Check).
  const Operation& blocked() const { return ops_[blocked_op_]; }
  // Whether some Put of this key wrote `value`.
  bool written(const std::string& value) const {
    return std::any_of(ops_.begin(), ops_.end(), [&](const Operation& op) {
      return op.kind == OpKind::kPut && op.value == value;
    });
  }

 private:
  bool Apply(const Operation& op, int state, int& next_state) const {
    switch (op.kind) {
      case OpKind::kPut:
        next_state = values_.at(op.value);
        return true;
      case OpKind::kDelete:
        next_state = kAbsent;
        return true;
      case OpKind::kGet:
        next_state = state;
        if (op.pending()) return true;  // a read with no answer constrains nothing
        return op.found ? state == values_.at(op.value) : state == kAbsent;
    }
    return false;
  }

  std::string DescribeState(int state) const {
    if (state == kAbsent) return "is absent";
    for (const auto& [value, id] : values_) {
      if (id == state) return "holds \"" + value + "\"";
    }
    return "holds ?";
  }

  void BuildList() {
    struct Ev {
      uint64_t seq;
      int op;
      bool is_call;
    };
    std::vector<Ev> evs;
    for (size_t i = 0; i < ops_.size(); ++i) {
      evs.push_back({ops_[i].invoke_seq, static_cast<int>(i), true});
      evs.push_back({ops_[i].response_seq, static_cast<int>(i), false});
    }
    // Pending responses share kPending: order them by operation, after every real event.
    std::stable_sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) {
      if (a.seq != b.seq) return a.seq < b.seq;
      return a.op < b.op;
    });
    entries_.assign(evs.size() + 1, Entry{});
    std::vector<int> call_of(ops_.size(), -1);
    for (size_t i = 0; i < evs.size(); ++i) {
      Entry& e = entries_[i + 1];
      e.op = evs[i].op;
      e.is_call = evs[i].is_call;
      e.prev = static_cast<int>(i);
      e.next = i + 1 < evs.size() ? static_cast<int>(i + 2) : -1;
      if (e.is_call) {
        call_of[e.op] = static_cast<int>(i + 1);
      } else {
        e.match = call_of[e.op];
        entries_[e.match].match = static_cast<int>(i + 1);
      }
    }
    entries_[0].next = evs.empty() ? -1 : 1;
  }

  void Unlink(int i) {
    Entry& e = entries_[i];
    entries_[e.prev].next = e.next;
    if (e.next != -1) entries_[e.next].prev = e.prev;
  }
  void Relink(int i) {
    Entry& e = entries_[i];
    entries_[e.prev].next = i;
    if (e.next != -1) entries_[e.next].prev = i;
  }
  // Removes a call and its response from the list; Unlift restores them (stack order).
  void Lift(int call) {
    Unlink(call);
    Unlink(entries_[call].match);
  }
  void Unlift(int call) {
    Relink(entries_[call].match);
    Relink(call);
  }

  void NoteDeadEnd(const std::vector<std::pair<int, int>>& stack, int state, int ret_entry) {
    if (static_cast<long>(stack.size()) <= best_depth_) return;
    best_depth_ = static_cast<long>(stack.size());
    best_order_.clear();
    for (const auto& [call, before] : stack) best_order_.push_back(entries_[call].op);
    best_state_ = state;
    blocked_op_ = entries_[ret_entry].op;
  }

  std::string key_;
  std::vector<Operation> ops_;
  CheckOptions options_;
  std::map<std::string, int> values_;
  std::vector<Entry> entries_;
  // The position of each operation in log order (-1: no log index), and how many operations
  // with a log index the current order has placed.
  std::vector<int> rank_;
  int next_rank_ = 0;
  uint64_t steps_ = 0;

  long best_depth_ = -1;
  std::vector<int> best_order_;
  int best_state_ = kAbsent;
  int blocked_op_ = 0;
};

}  // namespace

LinearizabilityResult CheckLinearizable(const std::vector<Operation>& ops,
                                        const CheckOptions& options) {
  LinearizabilityResult result;
  result.operations = ops.size();
  // Each (column family, key) is a register of its own.
  std::map<std::pair<std::string, std::string>, std::vector<Operation>> by_key;
  for (const Operation& op : ops) by_key[{op.cf, op.key}].push_back(op);
  result.keys = by_key.size();
  for (auto& [cf_key, key_ops] : by_key) {
    const auto& [cf, key] = cf_key;
    // As operations print it: "k", or lock:"k" outside the default column family.
    const std::string name = (cf == kDefaultCf ? "" : cf + ":") + "\"" + key + "\"";
    KeyChecker checker(name, std::move(key_ops), options);
    const bool ok = checker.Check(result);
    result.steps += checker.steps();
    if (!ok) {
      result.ok = false;
      result.cf = cf;
      result.key = key;
      if (!result.gave_up) {
        result.explanation = checker.Explain();
        // A read of a value never written to this key: say where it was written, typically
        // the same key in another column family (a store that ignores the cf).
        const Operation& blocked = checker.blocked();
        if (blocked.kind == OpKind::kGet && blocked.found && !checker.written(blocked.value)) {
          for (const Operation& op : ops) {
            if (op.kind == OpKind::kPut && op.value == blocked.value) {
              result.explanation +=
                  "  The value read, \"" + blocked.value + "\", was never written to " + name +
                  "; it was written by\n"
                  "    " +
                  op.ToString() + "\n" +
                  (op.cf != blocked.cf
                       ? "  in another column family: does the store honour the cf of "
                         "every Put, Delete and Get?\n"
                       : "");
              break;
            }
          }
        }
      }
      return result;
    }
  }
  return result;
}

}  // namespace raftstore::testing
