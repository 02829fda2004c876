#include "server/grpc_transport.h"

#include <chrono>
#include <utility>
#include <vector>

namespace server {

grpc::ChannelArguments FastReconnectArgs() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetMaxSendMessageSize(-1);
  args.SetMaxReceiveMessageSize(-1);
  return args;
}

// One stream to one store, with its queue and its thread.
class GrpcTransport::Lane {
 public:
  enum class Kind { kRaft, kSnapshot };

  Lane(Kind kind, uint64_t to_store, const std::string& addr, GrpcTransport* owner)
      : kind_(kind), to_(to_store), addr_(addr), owner_(owner) {
    stub_ = tinykvpb::TinyKv::NewStub(
        grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), FastReconnectArgs()));
    thread_ = std::thread([this] { Loop(); });
  }

  ~Lane() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      if (ctx_) ctx_->TryCancel();
    }
    cv_.notify_all();
    thread_.join();
  }

  // False when the queue is full (the message is dropped).
  bool Push(const raft_serverpb::RaftMessage& msg) {
    std::lock_guard<std::mutex> lock(mu_);
    // A snapshot lane holds a whole snapshot's chunks; the raft lane bounds what a down
    // store can pile up between two retries.
    const size_t limit = kind_ == Kind::kRaft ? 4096 : 16384;
    if (queue_.size() >= limit) return false;
    queue_.push_back(msg);
    cv_.notify_one();
    return true;
  }

 private:
  const char* Name() const { return kind_ == Kind::kRaft ? "raft" : "snapshot"; }

  void Loop() {
    std::unique_ptr<grpc::ClientWriter<raft_serverpb::RaftMessage>> writer;
    tinykvpb::Done done;
    bool failing = false;  // log a broken stream once, not at every retry
    for (;;) {
      std::deque<raft_serverpb::RaftMessage> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) break;
        batch.swap(queue_);
        if (!writer) ctx_ = std::make_unique<grpc::ClientContext>();
      }
      if (!writer) {
        // Outside the lock: opening a stream may wait for the connection, and Push (called
        // by the raft worker) must never wait for that.
        done.Clear();
        writer = kind_ == Kind::kRaft ? stub_->Raft(ctx_.get(), &done)
                                      : stub_->Snapshot(ctx_.get(), &done);
      }
      bool ok = true;
      for (auto& msg : batch) {
        if (!writer->Write(msg)) {
          ok = false;
          break;
        }
        owner_->sent_.fetch_add(1);
      }
      if (ok) {
        if (failing) owner_->log_->info("{} stream to store {} ({}) is back", Name(), to_, addr_);
        failing = false;
        continue;
      }
      grpc::Status st = writer->Finish();
      if (!failing) {
        owner_->log_->warn(
            "{} stream to store {} ({}) broke: {}; dropping its messages and "
            "retrying",
            Name(), to_, addr_, st.error_message());
      }
      failing = true;
      std::unique_lock<std::mutex> lock(mu_);
      writer.reset();
      ctx_.reset();
      owner_->dropped_.fetch_add(batch.size() + queue_.size());
      queue_.clear();
      // A pause before the next attempt, so a store that is down costs little.
      cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_; });
      if (stopping_) break;
      owner_->dropped_.fetch_add(queue_.size());
      queue_.clear();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (writer) {
      writer->WritesDone();
      ctx_->TryCancel();
      (void)writer->Finish();
    }
  }

  const Kind kind_;
  const uint64_t to_;
  const std::string addr_;
  GrpcTransport* owner_;
  std::unique_ptr<tinykvpb::TinyKv::Stub> stub_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<raft_serverpb::RaftMessage> queue_;
  std::unique_ptr<grpc::ClientContext> ctx_;  // of the open stream; guarded by mu_
  bool stopping_ = false;
  std::thread thread_;
};

GrpcTransport::GrpcTransport(uint64_t self_store_id, const ClusterConfig& cluster,
                             std::shared_ptr<spdlog::logger> log)
    : self_(self_store_id), log_(std::move(log)) {
  for (const auto& [id, addr] : cluster.stores) {
    if (id == self_) continue;
    raft_lanes_[id] = std::make_unique<Lane>(Lane::Kind::kRaft, id, addr, this);
    snap_lanes_[id] = std::make_unique<Lane>(Lane::Kind::kSnapshot, id, addr, this);
  }
}

GrpcTransport::~GrpcTransport() {
  raft_lanes_.clear();
  snap_lanes_.clear();
}

kv::Status GrpcTransport::Send(const raft_serverpb::RaftMessage& msg) {
  const uint64_t to = msg.to_peer().store_id();
  const bool snapshot =
      msg.has_snap_chunk() || msg.message().msg_type() == eraftpb::MessageType::MsgSnapshot;
  auto& lanes = snapshot ? snap_lanes_ : raft_lanes_;
  auto it = lanes.find(to);
  if (it == lanes.end()) {
    dropped_.fetch_add(1);
    return kv::Status::InvalidArgument("no store " + std::to_string(to) + " in the cluster");
  }
  if (!it->second->Push(msg)) {
    dropped_.fetch_add(1);
    return kv::Status::Busy("the queue to store " + std::to_string(to) + " is full");
  }
  return kv::Status::OK();
}

}  // namespace server
