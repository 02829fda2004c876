#include "timeline/dump.h"

#include <sstream>

namespace timeline {

namespace {

std::string List(const std::vector<uint64_t>& v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + std::to_string(v[i]);
  return out + "}";
}

}  // namespace

std::string Dump(const Recorder& rec) {
  std::ostringstream os;
  os << "title " << rec.title() << "\n";
  os << "unit " << rec.unit().name << " per_second " << rec.unit().per_second << "; lanes are "
     << rec.lane_noun() << "s " << List(rec.lanes()) << "\n";
  for (const auto& [lane, history] : rec.states()) {
    for (const auto& [t, s] : history) {
      os << "state " << t << " lane " << lane << " " << s.role << " term " << s.term << " vote "
         << s.vote << " lead " << s.lead << " last " << s.last << " commit " << s.commit
         << " applied " << s.applied << " first " << s.first << " truncated " << s.truncated
         << "\n";
    }
  }
  for (const Message& m : rec.messages()) {
    os << "msg " << m.id << " " << m.from << "->" << m.to << " " << m.type << " sent " << m.sent;
    if (m.delivered) os << " delivered " << m.end;
    if (m.dropped) os << " dropped " << m.end << " (" << m.drop_reason << ")";
    if (!m.delivered && !m.dropped) os << " in flight";
    if (m.duplicate_of) os << " duplicate of " << m.duplicate_of;
    for (const auto& [k, v] : m.fields) os << " " << k << "=" << v;
    os << "\n";
  }
  for (const Region& r : rec.regions()) {
    os << "region " << r.id << " " << r.kind << " [" << r.begin << ", ";
    if (r.open) {
      os << "open";
    } else {
      os << r.end;
    }
    os << ") lanes " << List(r.lanes);
    for (const auto& g : r.groups) os << " " << List(g);
    os << " " << r.text << "\n";
  }
  for (const Mark& m : rec.marks()) {
    os << "mark " << m.time << " lane " << m.lane << " " << m.category << " " << m.text << "\n";
  }
  for (const ClientOp& op : rec.ops()) {
    os << "op " << op.id << " client " << op.client << " " << op.kind << "(" << op.key;
    if (!op.value.empty()) os << ", " << op.value;
    os << ") invoke " << op.invoke;
    if (op.answered) os << " response " << op.response << " " << op.result;
    if (op.highlighted) os << " HIGHLIGHTED: " << op.note.substr(0, op.note.find('\n'));
    os << "\n";
  }
  for (const Failure& f : rec.failures()) {
    os << "fail " << f.time << " lanes " << List(f.lanes) << " " << f.title << "\n";
  }
  return os.str();
}

}  // namespace timeline
