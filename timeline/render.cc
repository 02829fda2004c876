#include "timeline/render.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "timeline/json.h"
#include "timeline/page_assets.h"

// The page data, one compact JSON object (the page's timeline.js reads it):
//
//   v          format version (1)
//   title, noun, unit, per_second, end    the recorder's title, lane noun, time unit, last time
//   lanes      [lane, ...] in the order recorded (lanes seen only in events follow, sorted)
//   states     [[lane, [dt, role, term, vote, lead, last, commit, applied, first, truncated,
//              dt, ...]], ...]   dt: time since the lane's previous state (the first: absolute);
//              the eight numbers after the role are changes from the previous state (the first:
//              from zero), mostly 0 or 1
//   msgs       columns of the embedded messages, in send order: first (id of the first one),
//              from, to, type, sent (time since the previous message's send; the first:
//              absolute), dur (end - sent; -1: neither delivered nor dropped), fields (per message
//              [schema, value, ...]; a value that is a plain decimal number is written as a
//              number), schemas (per schema the field names [name, ...]), drops [i, reason, ...],
//              dups [i, duplicate_of, ...]
//   counts     null, or the messages before the cut as counts: start, until (the first and
//              last send time), slot (width),
//              total, dropped, rows [slot, from, to, count, dropped, ...]
//   regions    [[kind, text, begin, end, open, [lanes], [[group], ...]], ...]
//   marks      [t, lane, category, text, ...]
//   ops        [[id, client, kind, key, value, result, invoke, response, answered, highlighted,
//              note], ...]
//   failures   [[t, title, text, [lanes]], ...]
//   cut        null, or what the caps left out: messages (recorded), kept, from (time of the
//              first kept message), states, marks, ops (how many were left out)
//   strings    the string table: type names, field names, roles, drop reasons, region kinds,
//              mark categories and op kinds are indices into it
//
// Everything is written in recording order, so the same recording gives the same bytes.

namespace timeline {
namespace {

// The caps of a page (see PageLimits). 100k messages make a page of about 6 MB that Chromium
// opens in well under a second; a bigger run keeps its last 100k messages in detail.
constexpr size_t kMaxDetailedMessages = 100000;
constexpr size_t kCountSlots = 2000;
constexpr size_t kMaxMarks = 20000;
constexpr size_t kMaxOps = 20000;

class StringTable {
 public:
  uint64_t Id(const std::string& s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    index_.emplace(s, list_.size());
    list_.push_back(s);
    return list_.size() - 1;
  }
  const std::vector<std::string>& list() const { return list_; }

 private:
  std::unordered_map<std::string, uint64_t> index_;
  std::vector<std::string> list_;
};

// A value the page may show as a JSON number without changing its text.
bool IsPlainNumber(const std::string& s) {
  if (s.empty() || s.size() > 15) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<uint64_t> AllLanes(const Recorder& rec) {
  std::vector<uint64_t> lanes;
  for (uint64_t l : rec.lanes()) {
    if (l != 0 && std::find(lanes.begin(), lanes.end(), l) == lanes.end()) lanes.push_back(l);
  }
  std::set<uint64_t> more;
  auto see = [&](uint64_t l) {
    if (l != 0 && std::find(lanes.begin(), lanes.end(), l) == lanes.end()) more.insert(l);
  };
  for (const auto& [lane, history] : rec.states()) see(lane);
  for (const Message& m : rec.messages()) {
    see(m.from);
    see(m.to);
  }
  for (const Region& r : rec.regions()) {
    for (uint64_t l : r.lanes) see(l);
  }
  for (const Mark& m : rec.marks()) see(m.lane);
  lanes.insert(lanes.end(), more.begin(), more.end());
  return lanes;
}

void WriteLaneList(JsonWriter& w, const std::vector<uint64_t>& lanes) {
  w.BeginArray();
  for (uint64_t l : lanes) w.Uint(l);
  w.EndArray();
}

// The state fields that make a lane's band and term: kept before the cut, where the log
// figures are thinned away.
bool SameBand(const LaneState& a, const LaneState& b) {
  return a.role == b.role && a.term == b.term && a.vote == b.vote && a.lead == b.lead;
}

}  // namespace

PageLimits PageLimits::Default() {
  return PageLimits{kMaxDetailedMessages, kCountSlots, kMaxMarks, kMaxOps};
}

std::string PageDataJson(const Recorder& rec, const PageLimits& limits) {
  StringTable strings;
  std::string out;
  out.reserve(64 * rec.messages().size() + 4096);
  JsonWriter w(&out);

  const std::vector<Message>& msgs = rec.messages();
  const size_t first_kept =
      msgs.size() > limits.max_messages ? msgs.size() - limits.max_messages : 0;
  const bool cut = first_kept > 0;
  const Time cut_time = cut ? msgs[first_kept].sent : 0;

  w.BeginObject();
  w.Key("v");
  w.Uint(1);
  w.Key("title");
  w.String(rec.title());
  w.Key("noun");
  w.String(rec.lane_noun());
  w.Key("unit");
  w.String(rec.unit().name);
  w.Key("per_second");
  w.Double(rec.unit().per_second);
  w.Key("end");
  w.Uint(rec.last_time());
  w.Key("lanes");
  WriteLaneList(w, AllLanes(rec));

  // Lane states; before the cut only the band (role, term, vote, lead) changes.
  size_t states_left_out = 0;
  w.Key("states");
  w.BeginArray();
  for (const auto& [lane, history] : rec.states()) {
    w.BeginArray();
    w.Uint(lane);
    w.BeginArray();
    Time prev = 0;
    const LaneState* kept = nullptr;
    for (size_t i = 0; i < history.size(); ++i) {
      const auto& [t, s] = history[i];
      if (cut && t < cut_time && kept != nullptr && SameBand(*kept, s) &&
          !(i + 1 == history.size() || history[i + 1].first >= cut_time)) {
        ++states_left_out;
        continue;
      }
      w.Uint(t - prev);
      prev = t;
      w.Uint(strings.Id(s.role));
      const LaneState zero;
      const LaneState& before = kept != nullptr ? *kept : zero;
      auto delta = [&](uint64_t now, uint64_t then) { w.Int(static_cast<int64_t>(now - then)); };
      delta(s.term, before.term);
      delta(s.vote, before.vote);
      delta(s.lead, before.lead);
      delta(s.last, before.last);
      delta(s.commit, before.commit);
      delta(s.applied, before.applied);
      delta(s.first, before.first);
      delta(s.truncated, before.truncated);
      kept = &s;
    }
    w.EndArray();
    w.EndArray();
  }
  w.EndArray();

  // Messages, as columns.
  w.Key("msgs");
  w.BeginObject();
  w.Key("first");
  w.Uint(first_kept < msgs.size() ? msgs[first_kept].id : 0);
  auto column = [&](const char* name, auto value) {
    w.Key(name);
    w.BeginArray();
    for (size_t i = first_kept; i < msgs.size(); ++i) value(msgs[i], i);
    w.EndArray();
  };
  column("from", [&](const Message& m, size_t) { w.Uint(m.from); });
  column("to", [&](const Message& m, size_t) { w.Uint(m.to); });
  column("type", [&](const Message& m, size_t) { w.Uint(strings.Id(m.type)); });
  column("sent", [&](const Message& m, size_t i) {
    Time prev = i > first_kept ? msgs[i - 1].sent : 0;
    w.Int(static_cast<int64_t>(m.sent - prev));
  });
  column("dur", [&](const Message& m, size_t) {
    if (!m.delivered && !m.dropped) {
      w.Int(-1);
    } else {
      w.Uint(m.end >= m.sent ? m.end - m.sent : 0);
    }
  });
  // Messages of one type carry the same field names: each list of names is written once.
  // Looked up by type first, so most messages are matched without building a list of names.
  std::vector<std::vector<std::string>> schemas;
  std::unordered_map<std::string, std::vector<uint64_t>> schemas_of_type;
  auto schema_of = [&](const Message& m) -> uint64_t {
    std::vector<uint64_t>& ids = schemas_of_type[m.type];
    for (uint64_t id : ids) {
      const std::vector<std::string>& names = schemas[id];
      if (names.size() == m.fields.size() &&
          std::equal(names.begin(), names.end(), m.fields.begin(),
                     [](const std::string& n, const auto& f) { return n == f.first; })) {
        return id;
      }
    }
    std::vector<std::string> names;
    for (const auto& field : m.fields) names.push_back(field.first);
    // The same names under another type share its schema: ids stay in first-use order.
    for (uint64_t id = 0; id < schemas.size(); ++id) {
      if (schemas[id] == names) {
        ids.push_back(id);
        return id;
      }
    }
    schemas.push_back(std::move(names));
    ids.push_back(schemas.size() - 1);
    return schemas.size() - 1;
  };
  column("fields", [&](const Message& m, size_t) {
    uint64_t schema = schema_of(m);
    w.BeginArray();
    w.Uint(schema);
    for (const auto& [name, value] : m.fields) {
      if (IsPlainNumber(value)) {
        w.Uint(std::stoull(value));
      } else {
        w.String(value);
      }
    }
    w.EndArray();
  });
  w.Key("schemas");
  w.BeginArray();
  for (const auto& names : schemas) {
    w.BeginArray();
    for (const std::string& name : names) w.Uint(strings.Id(name));
    w.EndArray();
  }
  w.EndArray();
  w.Key("drops");
  w.BeginArray();
  for (size_t i = first_kept; i < msgs.size(); ++i) {
    if (!msgs[i].dropped) continue;
    w.Uint(i - first_kept);
    w.Uint(strings.Id(msgs[i].drop_reason));
  }
  w.EndArray();
  w.Key("dups");
  w.BeginArray();
  for (size_t i = first_kept; i < msgs.size(); ++i) {
    if (msgs[i].duplicate_of == 0) continue;
    w.Uint(i - first_kept);
    w.Uint(msgs[i].duplicate_of);
  }
  w.EndArray();
  w.EndObject();

  // The messages before the cut, as counts per slot and lane pair.
  w.Key("counts");
  if (!cut) {
    w.Null();
  } else {
    // A simulator sends in time order, but nothing here relies on it.
    Time start = msgs[0].sent, until = msgs[0].sent;
    for (size_t i = 0; i < first_kept; ++i) {
      start = std::min(start, msgs[i].sent);
      until = std::max(until, msgs[i].sent);
    }
    Time span = until - start + 1;
    size_t slots = std::max<size_t>(1, limits.count_slots);
    Time slot = std::max<Time>(1, (span + slots - 1) / slots);
    std::map<std::tuple<Time, uint64_t, uint64_t>, std::pair<uint64_t, uint64_t>> rows;
    uint64_t dropped = 0;
    for (size_t i = 0; i < first_kept; ++i) {
      const Message& m = msgs[i];
      auto& row = rows[{(m.sent - start) / slot, m.from, m.to}];
      ++row.first;
      if (m.dropped) {
        ++row.second;
        ++dropped;
      }
    }
    w.BeginObject();
    w.Key("start");
    w.Uint(start);
    w.Key("until");
    w.Uint(until);
    w.Key("slot");
    w.Uint(slot);
    w.Key("total");
    w.Uint(first_kept);
    w.Key("dropped");
    w.Uint(dropped);
    w.Key("rows");
    w.BeginArray();
    for (const auto& [key, value] : rows) {
      w.Uint(std::get<0>(key));
      w.Uint(std::get<1>(key));
      w.Uint(std::get<2>(key));
      w.Uint(value.first);
      w.Uint(value.second);
    }
    w.EndArray();
    w.EndObject();
  }

  w.Key("regions");
  w.BeginArray();
  for (const Region& r : rec.regions()) {
    w.BeginArray();
    w.Uint(strings.Id(r.kind));
    w.String(r.text);
    w.Uint(r.begin);
    w.Uint(r.open ? rec.last_time() : r.end);
    w.Uint(r.open ? 1 : 0);
    WriteLaneList(w, r.lanes);
    w.BeginArray();
    for (const auto& g : r.groups) WriteLaneList(w, g);
    w.EndArray();
    w.EndArray();
  }
  w.EndArray();

  const std::vector<Mark>& marks = rec.marks();
  const size_t first_mark = marks.size() > limits.max_marks ? marks.size() - limits.max_marks : 0;
  w.Key("marks");
  w.BeginArray();
  for (size_t i = first_mark; i < marks.size(); ++i) {
    w.Uint(marks[i].time);
    w.Uint(marks[i].lane);
    w.Uint(strings.Id(marks[i].category));
    w.String(marks[i].text);
  }
  w.EndArray();

  // Client operations: the highlighted ones always, then the last ones up to the cap.
  const std::vector<ClientOp>& ops = rec.ops();
  size_t highlighted = 0;
  for (const ClientOp& op : ops) highlighted += op.highlighted ? 1 : 0;
  size_t room = limits.max_ops > highlighted ? limits.max_ops - highlighted : 0;
  size_t plain = ops.size() - highlighted;
  size_t skip_plain = plain > room ? plain - room : 0;
  size_t ops_left_out = 0;
  w.Key("ops");
  w.BeginArray();
  for (const ClientOp& op : ops) {
    if (!op.highlighted && skip_plain > 0) {
      --skip_plain;
      ++ops_left_out;
      continue;
    }
    w.BeginArray();
    w.Uint(op.id);
    w.Int(op.client);
    w.Uint(strings.Id(op.kind));
    w.String(op.key);
    w.String(op.value);
    w.String(op.result);
    w.Uint(op.invoke);
    w.Uint(op.answered ? op.response : rec.last_time());
    w.Uint(op.answered ? 1 : 0);
    w.Uint(op.highlighted ? 1 : 0);
    w.String(op.note);
    w.EndArray();
  }
  w.EndArray();

  w.Key("failures");
  w.BeginArray();
  for (const Failure& f : rec.failures()) {
    w.BeginArray();
    w.Uint(f.time);
    w.String(f.title);
    w.String(f.text);
    WriteLaneList(w, f.lanes);
    w.EndArray();
  }
  w.EndArray();

  w.Key("cut");
  if (!cut && first_mark == 0 && ops_left_out == 0) {
    w.Null();
  } else {
    w.BeginObject();
    w.Key("messages");
    w.Uint(msgs.size());
    w.Key("kept");
    w.Uint(msgs.size() - first_kept);
    w.Key("from");
    w.Uint(cut_time);
    w.Key("states");
    w.Uint(states_left_out);
    w.Key("marks");
    w.Uint(first_mark);
    w.Key("ops");
    w.Uint(ops_left_out);
    w.EndObject();
  }

  w.Key("strings");
  w.BeginArray();
  for (const std::string& s : strings.list()) w.String(s);
  w.EndArray();
  w.EndObject();
  return out;
}

std::string RenderHtml(const Recorder& rec, const PageLimits& limits) {
  std::string data = PageDataJson(rec, limits);
  size_t size = data.size();
  for (std::string_view part : page::kHead) size += part.size();
  for (std::string_view part : page::kTail) size += part.size();
  std::string html;
  html.reserve(size);
  for (std::string_view part : page::kHead) html.append(part);
  html.append(data);
  for (std::string_view part : page::kTail) html.append(part);
  return html;
}

std::string RenderHtml(const Recorder& rec) { return RenderHtml(rec, PageLimits::Default()); }

}  // namespace timeline
