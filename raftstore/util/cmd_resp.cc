#include "raftstore/util/cmd_resp.h"

namespace raftstore {

raft_cmdpb::RaftCmdResponse NewCmdResp() {
  raft_cmdpb::RaftCmdResponse resp;
  resp.mutable_header();
  return resp;
}

raft_cmdpb::RaftCmdResponse ErrResp(const RegionError& err) {
  raft_cmdpb::RaftCmdResponse resp = NewCmdResp();
  BindRespError(&resp, err);
  return resp;
}

raft_cmdpb::RaftCmdResponse ErrRespStaleCommand(uint64_t term) {
  raft_cmdpb::RaftCmdResponse resp = ErrResp(ErrStaleCommand());
  BindRespTerm(&resp, term);
  return resp;
}

raft_cmdpb::RaftCmdResponse ErrRespRegionNotFound(uint64_t region_id) {
  return ErrResp(ErrRegionNotFound(region_id));
}

void BindRespTerm(raft_cmdpb::RaftCmdResponse* resp, uint64_t term) {
  if (term == 0) return;
  resp->mutable_header()->set_current_term(term);
}

void BindRespError(raft_cmdpb::RaftCmdResponse* resp, const RegionError& err) {
  *resp->mutable_header()->mutable_error() = err.pb();
}

RegionError RespError(const raft_cmdpb::RaftCmdResponse& resp) {
  if (!resp.has_header() || !resp.header().has_error()) return RegionError();
  return RegionError::FromPb(resp.header().error());
}

}  // namespace raftstore
