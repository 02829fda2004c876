#pragma once

// Building the responses a command's callback is answered with (TinyKV's cmd_resp.go).
// Every response has a header; an error response carries the RegionError in it and nothing
// else; a successful one carries the term of the peer that served it.

#include <cstdint>

#include "proto/raft_cmdpb.pb.h"
#include "raftstore/util/region_error.h"

namespace raftstore {

// An empty successful response (header present, no error).
raft_cmdpb::RaftCmdResponse NewCmdResp();
// A response holding only `err`.
raft_cmdpb::RaftCmdResponse ErrResp(const RegionError& err);
// StaleCommand, with the term of the peer that found the command stale.
raft_cmdpb::RaftCmdResponse ErrRespStaleCommand(uint64_t term);
raft_cmdpb::RaftCmdResponse ErrRespRegionNotFound(uint64_t region_id);

void BindRespTerm(raft_cmdpb::RaftCmdResponse* resp, uint64_t term);
void BindRespError(raft_cmdpb::RaftCmdResponse* resp, const RegionError& err);
// The error in a response's header (ok() when there is none).
RegionError RespError(const raft_cmdpb::RaftCmdResponse& resp);

}  // namespace raftstore
