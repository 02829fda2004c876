#include "server/status_table.h"

#include <cstdio>

namespace server {

std::string StatusTable(LiveClient& client, bool digest) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-5s %-21s %-9s %5s %6s %8s %8s %8s %8s %8s %11s %8s %8s%s\n",
                "store", "address", "role", "term", "leader", "commit", "applied", "trunc", "first",
                "last", "snap s/r/a", "raft MB", "kv MB", digest ? "      keys  digest" : "");
  out += line;
  for (const auto& [id, addr] : client.cluster().stores) {
    auto s = client.Status(id, digest);
    if (!s.ok()) {
      std::snprintf(line, sizeof line, "%-5llu %-21s %-9s\n", static_cast<unsigned long long>(id),
                    addr.c_str(), "down");
      out += line;
      continue;
    }
    const auto& v = s.value();
    char snaps[48];
    std::snprintf(snaps, sizeof snaps, "%llu/%llu/%llu",
                  static_cast<unsigned long long>(v.snapshots_sent()),
                  static_cast<unsigned long long>(v.snapshots_received()),
                  static_cast<unsigned long long>(v.snapshots_applied()));
    char extra[64] = "";
    if (digest) {
      std::snprintf(extra, sizeof extra, " %9llu  %016llx",
                    static_cast<unsigned long long>(v.data_keys()),
                    static_cast<unsigned long long>(v.data_digest()));
    }
    std::snprintf(
        line, sizeof line,
        "%-5llu %-21s %-9s %5llu %6llu %8llu %8llu %8llu %8llu %8llu %11s %8.1f %8.1f%s\n",
        static_cast<unsigned long long>(id), addr.c_str(), v.role().c_str(),
        static_cast<unsigned long long>(v.term()),
        static_cast<unsigned long long>(v.leader_store_id()),
        static_cast<unsigned long long>(v.commit_index()),
        static_cast<unsigned long long>(v.applied_index()),
        static_cast<unsigned long long>(v.truncated_index()),
        static_cast<unsigned long long>(v.first_index()),
        static_cast<unsigned long long>(v.last_index()), snaps,
        static_cast<double>(v.raft_engine_bytes()) / 1e6,
        static_cast<double>(v.kv_engine_bytes()) / 1e6, extra);
    out += line;
  }
  return out;
}

}  // namespace server
