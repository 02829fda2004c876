#include "timeline/render.h"

namespace timeline {

// Placeholder until the page renderer lands: a page that says what was recorded.
std::string RenderHtml(const Recorder& rec) {
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>timeline</title></head>"
         "<body><p>" +
         std::to_string(rec.messages().size()) + " messages</p></body></html>\n";
}

}  // namespace timeline
