#pragma once

// The KV server: turns client requests (proto/kvrpcpb.proto) into reads and writes of a
// Storage. Lab 1 writes the raw API (raw_api.cc) on a StandaloneStorage; from lab 2B on, the
// same code runs on RaftStorage and every write is replicated.
//
// Errors never escape as exceptions: a failure of the storage goes into the response's
// `error` field, as a readable message (Status::ToString()).

#include "kv/storage/storage.h"
#include "proto/kvrpcpb.pb.h"

namespace kv {

class Server {
 public:
  // `storage` must be started, and outlive the server.
  explicit Server(Storage* storage) : storage_(storage) {}

  // --- Lab 1: the raw key-value API (raw_api.cc) ---------------------------------------------
  // Each request names a column family (`cf`), and carries a Context for Storage::Write and
  // Storage::Reader.

  // The value of req.key() in req.cf(). A missing key sets not_found (and no error); an
  // existing key with an empty value is found, with an empty value.
  kvrpcpb::RawGetResponse RawGet(const kvrpcpb::RawGetRequest& req);

  // Puts req.value() at req.key() in req.cf(), replacing any old value.
  kvrpcpb::RawPutResponse RawPut(const kvrpcpb::RawPutRequest& req);

  // Deletes req.key() from req.cf(). Deleting a key that does not exist is not an error.
  kvrpcpb::RawDeleteResponse RawDelete(const kvrpcpb::RawDeleteRequest& req);

  // The pairs of req.cf() with keys >= req.start_key(), in key order, at most req.limit() of
  // them (a limit of 0 returns none). All of them are read from one consistent view.
  kvrpcpb::RawScanResponse RawScan(const kvrpcpb::RawScanRequest& req);

 private:
  Storage* storage_;
};

}  // namespace kv
