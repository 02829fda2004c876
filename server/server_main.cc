// tinykv-server: one store of a live cluster (see store_server.h and docs/live.md).

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "server/store_server.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(server::kServerUsage, stdout);
      return 0;
    }
  }
  auto options = server::ParseServerOptions(argc, argv);
  if (!options.ok()) {
    std::fprintf(stderr, "tinykv-server: %s\n%s", options.status().ToString().c_str(),
                 server::kServerUsage);
    return 2;
  }
  // The raft library's loggers read LOG_LEVEL; a server says what it does unless told not to.
  setenv("LOG_LEVEL", "info", /*overwrite=*/0);

  // Every thread inherits this mask, so the signals wait for sigwait below instead of
  // interrupting a worker mid-write.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  server::StoreServer store(std::move(options).value());
  if (kv::Status s = store.Start(); !s.ok()) {
    store.log().error("cannot start: {}", s.ToString());
    store.Stop();
    return 1;
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  store.log().info("{}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  store.Stop();
  store.log().info("stopped cleanly");
  return 0;
}
