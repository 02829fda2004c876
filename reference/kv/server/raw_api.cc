// Lab 1: the raw key-value API of the server (see server.h for what each call must do).
// Read through storage_->Reader(...), write through storage_->Write(...), and report every
// failure in the response's `error` field.

#include <memory>

#include "kv/server/server.h"

namespace kv {

kvrpcpb::RawGetResponse Server::RawGet(const kvrpcpb::RawGetRequest& req) {
  kvrpcpb::RawGetResponse resp;
  Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(req.context());
  if (!reader.ok()) {
    resp.set_error(reader.status().ToString());
    return resp;
  }
  Result<std::optional<std::string>> value = (*reader)->GetCF(req.cf(), req.key());
  if (!value.ok()) {
    resp.set_error(value.status().ToString());
  } else if (!value->has_value()) {
    resp.set_not_found(true);
  } else {
    resp.set_value(std::move(**value));
  }
  return resp;
}

kvrpcpb::RawPutResponse Server::RawPut(const kvrpcpb::RawPutRequest& req) {
  kvrpcpb::RawPutResponse resp;
  Status s = storage_->Write(req.context(), {Modify::Put(req.cf(), req.key(), req.value())});
  if (!s.ok()) resp.set_error(s.ToString());
  return resp;
}

kvrpcpb::RawDeleteResponse Server::RawDelete(const kvrpcpb::RawDeleteRequest& req) {
  kvrpcpb::RawDeleteResponse resp;
  Status s = storage_->Write(req.context(), {Modify::Delete(req.cf(), req.key())});
  if (!s.ok()) resp.set_error(s.ToString());
  return resp;
}

kvrpcpb::RawScanResponse Server::RawScan(const kvrpcpb::RawScanRequest& req) {
  kvrpcpb::RawScanResponse resp;
  Result<std::unique_ptr<StorageReader>> reader = storage_->Reader(req.context());
  if (!reader.ok()) {
    resp.set_error(reader.status().ToString());
    return resp;
  }
  Result<std::unique_ptr<DBIterator>> it = (*reader)->IterCF(req.cf());
  if (!it.ok()) {
    resp.set_error(it.status().ToString());
    return resp;
  }
  DBIterator& iter = **it;
  for (iter.Seek(req.start_key());
       iter.Valid() && static_cast<uint32_t>(resp.kvs_size()) < req.limit(); iter.Next()) {
    kvrpcpb::KvPair* pair = resp.add_kvs();
    pair->set_key(std::string(iter.key()));
    pair->set_value(std::string(iter.value()));
  }
  Status s = iter.status();
  if (!s.ok()) {
    resp.clear_kvs();
    resp.set_error(s.ToString());
  }
  return resp;
}

}  // namespace kv
