// Lab 1: the raw key-value API of the server (see server.h for what each call must do).
// Read through storage_->Reader(...), write through storage_->Write(...), and report every
// failure in the response's `error` field.

#include "kv/server/server.h"

namespace kv {

kvrpcpb::RawGetResponse Server::RawGet([[maybe_unused]] const kvrpcpb::RawGetRequest& req) {
  // Your Code Here (1).
  return kvrpcpb::RawGetResponse();
}

kvrpcpb::RawPutResponse Server::RawPut([[maybe_unused]] const kvrpcpb::RawPutRequest& req) {
  // Your Code Here (1).
  return kvrpcpb::RawPutResponse();
}

kvrpcpb::RawDeleteResponse Server::RawDelete(
    [[maybe_unused]] const kvrpcpb::RawDeleteRequest& req) {
  // Your Code Here (1).
  return kvrpcpb::RawDeleteResponse();
}

kvrpcpb::RawScanResponse Server::RawScan([[maybe_unused]] const kvrpcpb::RawScanRequest& req) {
  // Your Code Here (1).
  return kvrpcpb::RawScanResponse();
}

}  // namespace kv
