#pragma once

// The table `tinykv-ctl status` prints: one row per store, from each store's Status call
// (a store that does not answer within two seconds is "down").

#include <string>

#include "server/live_client.h"

namespace server {

std::string StatusTable(LiveClient& client, bool digest);

}  // namespace server
