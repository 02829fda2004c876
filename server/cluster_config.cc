#include "server/cluster_config.h"

#include <fstream>
#include <sstream>

namespace server {

namespace {

kv::Status AddStore(ClusterConfig* c, const std::string& id_text, const std::string& addr,
                    const std::string& where) {
  uint64_t id = 0;
  size_t used = 0;
  try {
    id = std::stoull(id_text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != id_text.size() || id == 0) {
    return kv::Status::InvalidArgument(where + ": store id '" + id_text +
                                       "' is not a positive number");
  }
  const size_t colon = addr.rfind(':');
  if (addr.empty() || colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) {
    return kv::Status::InvalidArgument(where + ": address '" + addr + "' is not host:port");
  }
  if (!c->stores.emplace(id, addr).second) {
    return kv::Status::InvalidArgument(where + ": store " + id_text + " is listed twice");
  }
  return kv::Status::OK();
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

kv::Result<ClusterConfig> ClusterConfig::Parse(const std::string& spec) {
  if (!spec.empty() && spec[0] == '@') return ParseFile(spec.substr(1));
  return ParseList(spec);
}

kv::Result<ClusterConfig> ClusterConfig::ParseList(const std::string& list) {
  ClusterConfig c;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = Trim(item);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return kv::Status::InvalidArgument("cluster entry '" + item + "' is not id=host:port");
    }
    KV_RETURN_IF_ERROR(AddStore(&c, Trim(item.substr(0, eq)), Trim(item.substr(eq + 1)),
                                "cluster entry '" + item + "'"));
  }
  if (c.stores.empty()) return kv::Status::InvalidArgument("the cluster lists no store");
  return c;
}

kv::Result<ClusterConfig> ClusterConfig::ParseFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return kv::Status::IOError("cannot read the cluster file " + path);
  ClusterConfig c;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::stringstream fields(line);
    std::string id, addr, extra;
    if (!(fields >> id)) continue;
    if (!(fields >> addr) || (fields >> extra)) {
      return kv::Status::InvalidArgument(path + ":" + std::to_string(n) +
                                         ": expected 'store-id host:port'");
    }
    KV_RETURN_IF_ERROR(AddStore(&c, id, addr, path + ":" + std::to_string(n)));
  }
  if (c.stores.empty()) return kv::Status::InvalidArgument(path + " lists no store");
  return c;
}

metapb::Region ClusterConfig::InitialRegion() const {
  metapb::Region region;
  region.set_id(kRegionId);
  region.mutable_region_epoch()->set_conf_ver(1);
  region.mutable_region_epoch()->set_version(1);
  for (const auto& [id, addr] : stores) {
    metapb::Peer* p = region.add_peers();
    p->set_id(PeerIdOf(id));
    p->set_store_id(id);
  }
  return region;
}

std::string ClusterConfig::ToString() const {
  std::string out;
  for (const auto& [id, addr] : stores) {
    if (!out.empty()) out += ",";
    out += std::to_string(id) + "=" + addr;
  }
  return out;
}

}  // namespace server
