#include "raftstore/raft_storage.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "raftstore/region_reader.h"
#include "raftstore/router.h"
#include "raftstore/util/cmd_resp.h"

namespace raftstore {

namespace {

thread_local RegionError last_region_error;

raft_cmdpb::RaftRequestHeader HeaderOf(const kvrpcpb::Context& ctx) {
  raft_cmdpb::RaftRequestHeader h;
  h.set_region_id(ctx.region_id());
  *h.mutable_peer() = ctx.peer();
  *h.mutable_region_epoch() = ctx.region_epoch();
  h.set_term(ctx.term());
  return h;
}

}  // namespace

RaftStorage::RaftStorage(std::function<Router*()> router, WaitFn wait, runtime::Micros timeout)
    : router_(std::move(router)), wait_(std::move(wait)), timeout_(timeout) {}

kv::Status RaftStorage::Start() {
  started_ = true;
  return kv::Status::OK();
}

kv::Status RaftStorage::Stop() {
  started_ = false;
  return kv::Status::OK();
}

RegionError RaftStorage::RegionErrorOf() { return last_region_error; }

kv::Status RaftStorage::Call(const raft_cmdpb::RaftCmdRequest& cmd,
                             raft_cmdpb::RaftCmdResponse* resp,
                             std::shared_ptr<kv::EngineSnapshot>* txn) {
  last_region_error = RegionError();
  if (!started_) return kv::Status::InvalidArgument("RaftStorage is not started");
  Router* router = router_();
  if (router == nullptr) return kv::Status::IOError("the store is not running");

  // Shared with the callback, which may run after a timeout made us give up.
  struct Answer {
    std::mutex mu;
    std::condition_variable cv;  // for a null WaitFn
    bool done = false;
    raft_cmdpb::RaftCmdResponse resp;
    std::shared_ptr<kv::EngineSnapshot> txn;
  };
  auto answer = std::make_shared<Answer>();
  router->SendRaftCommand(cmd, Callback([answer](const raft_cmdpb::RaftCmdResponse& r,
                                                 std::shared_ptr<kv::EngineSnapshot> t) {
                            std::lock_guard<std::mutex> lock(answer->mu);
                            answer->resp = r;
                            answer->txn = std::move(t);
                            answer->done = true;
                            answer->cv.notify_one();
                          }));
  bool done = false;
  if (wait_) {
    done = wait_(
        [answer] {
          std::lock_guard<std::mutex> lock(answer->mu);
          return answer->done;
        },
        timeout_);
  } else {
    std::unique_lock<std::mutex> lock(answer->mu);
    done = answer->cv.wait_for(lock, std::chrono::microseconds(timeout_),
                               [&] { return answer->done; });
  }
  if (!done) return kv::Status::IOError("no answer from the store within the timeout");
  std::lock_guard<std::mutex> lock(answer->mu);
  *resp = answer->resp;
  if (txn != nullptr) *txn = std::move(answer->txn);
  if (RegionError err = RespError(*resp)) {
    last_region_error = err;
    return kv::Status::Internal("region error: " + err.ToString());
  }
  return kv::Status::OK();
}

kv::Status RaftStorage::Write(const kvrpcpb::Context& ctx, const std::vector<kv::Modify>& batch) {
  raft_cmdpb::RaftCmdRequest cmd;
  *cmd.mutable_header() = HeaderOf(ctx);
  for (const kv::Modify& m : batch) {
    raft_cmdpb::Request* r = cmd.add_requests();
    if (m.type == kv::Modify::Type::kPut) {
      r->set_cmd_type(raft_cmdpb::Put);
      r->mutable_put()->set_cf(m.cf);
      r->mutable_put()->set_key(m.key);
      r->mutable_put()->set_value(m.value);
    } else {
      r->set_cmd_type(raft_cmdpb::Delete);
      r->mutable_delete_()->set_cf(m.cf);
      r->mutable_delete_()->set_key(m.key);
    }
  }
  raft_cmdpb::RaftCmdResponse resp;
  return Call(cmd, &resp, nullptr);
}

kv::Result<std::unique_ptr<kv::StorageReader>> RaftStorage::Reader(const kvrpcpb::Context& ctx) {
  raft_cmdpb::RaftCmdRequest cmd;
  *cmd.mutable_header() = HeaderOf(ctx);
  cmd.add_requests()->set_cmd_type(raft_cmdpb::Snap);
  raft_cmdpb::RaftCmdResponse resp;
  std::shared_ptr<kv::EngineSnapshot> txn;
  KV_RETURN_IF_ERROR(Call(cmd, &resp, &txn));
  if (resp.responses_size() != 1 || resp.responses(0).cmd_type() != raft_cmdpb::Snap || !txn) {
    return kv::Status::Internal("Snap command answered without a snapshot: " +
                                resp.ShortDebugString());
  }
  return std::unique_ptr<kv::StorageReader>(
      std::make_unique<RegionReader>(std::move(txn), resp.responses(0).snap().region()));
}

WaitFn RealWaiter() {
  return [](const std::function<bool()>& done, runtime::Micros timeout) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout);
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return done();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
  };
}

}  // namespace raftstore
