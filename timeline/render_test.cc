#include "timeline/render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "timeline/json.h"
#include "timeline/samples.h"

namespace timeline {
namespace {

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

// The numbers of the JSON array that follows `key` (a flat array of unsigned numbers).
std::vector<uint64_t> NumbersAfter(const std::string& json, const std::string& key) {
  std::vector<uint64_t> out;
  size_t at = json.find("\"" + key + "\":[");
  if (at == std::string::npos) return out;
  at = json.find('[', at) + 1;
  while (at < json.size() && json[at] != ']') {
    char* end = nullptr;
    out.push_back(std::strtoull(json.c_str() + at, &end, 10));
    at = end - json.c_str();
    if (json[at] == ',') ++at;
  }
  return out;
}

TEST(Json, EscapesForAScriptElement) {
  EXPECT_EQ(JsonWriter::Quote("plain"), "\"plain\"");
  EXPECT_EQ(JsonWriter::Quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonWriter::Quote("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(JsonWriter::Quote(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(JsonWriter::Quote(std::string("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(JsonWriter::Quote("</script><!--&"), "\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
  EXPECT_EQ(JsonWriter::Quote("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"");
}

TEST(Json, KeepsValidUtf8AndShowsInvalidBytes) {
  EXPECT_EQ(JsonWriter::Quote("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80\"");
  EXPECT_EQ(JsonWriter::Quote("k\xff"), "\"k\\\\xff\"");
  EXPECT_EQ(JsonWriter::Quote("\xc3"), "\"\\\\xc3\"");                        // truncated
  EXPECT_EQ(JsonWriter::Quote("\xc0\xaf"), "\"\\\\xc0\\\\xaf\"");             // overlong
  EXPECT_EQ(JsonWriter::Quote("\xed\xa0\x80"), "\"\\\\xed\\\\xa0\\\\x80\"");  // surrogate
  EXPECT_EQ(JsonWriter::Quote("\xf4\x90\x80\x80"), "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");
  EXPECT_EQ(JsonWriter::Quote("\xc3("), "\"\\\\xc3(\"");
}

TEST(Json, WritesCompactDeterministicText) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("a");
  w.BeginArray();
  w.Uint(1);
  w.Int(-2);
  w.Double(1e6);
  w.Double(0.5);
  w.Bool(true);
  w.Null();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  w.Key("b");
  w.String("x");
  w.EndObject();
  EXPECT_EQ(out, "{\"a\":[1,-2,1000000,0.5,true,null,[]],\"b\":\"x\"}");
}

Recorder Tiny() {
  Recorder rec("tiny seed 5", TimeUnit{"tick", 0});
  rec.AddLane(1);
  rec.AddLane(2);
  LaneState s;
  s.role = "leader";
  s.term = 2;
  s.vote = 1;
  s.lead = 1;
  s.last = 7;
  s.commit = 6;
  s.applied = 5;
  s.first = 3;
  s.truncated = 2;
  rec.State(1, 1, s);
  s.commit = 7;
  rec.State(4, 1, s);
  uint64_t a = rec.Send(2, 1, 2, "MsgAppend", {{"term", "2"}, {"entries", "k=v"}, {"n", "007"}});
  rec.Deliver(3, a);
  rec.Drop(5, rec.Send(5, 2, 1, "MsgAppendResponse", {{"term", "2"}}), "partition");
  rec.Send(6, 1, 2, "MsgAppend", {}, a);
  uint64_t r = rec.BeginRegion(4, "partition", "cut", {1, 2}, {{1}, {2}});
  rec.EndRegion(6, r);
  rec.BeginRegion(7, "down", "crash", {3});
  rec.AddMark(2, 0, "election", "1 won");
  uint64_t op = rec.Invoke(2, 1, "Get", "k", "");
  rec.Respond(3, op, "ok", "v");
  rec.Highlight(op, "stale");
  rec.Invoke(6, 2, "Put", "k", "w");
  rec.Fail(8, "two leaders", "text", {1, 2});
  return rec;
}

TEST(PageData, SmallRecordingExactly) {
  EXPECT_EQ(PageDataJson(Tiny()),
            "{\"v\":1,\"title\":\"tiny seed 5\",\"noun\":\"node\",\"unit\":\"tick\","
            "\"per_second\":0,\"end\":8,\"lanes\":[1,2,3],"
            "\"states\":[[1,[1,0,2,1,1,7,6,5,3,2,3,0,0,0,0,0,1,0,0,0]]],"
            "\"msgs\":{\"first\":1,\"from\":[1,2,1],\"to\":[2,1,2],\"type\":[1,2,1],"
            "\"sent\":[2,3,1],\"dur\":[1,0,-1],"
            "\"fields\":[[0,2,\"k=v\",\"007\"],[1,2],[2]],\"schemas\":[[3,4,5],[3],[]],"
            "\"drops\":[1,6],\"dups\":[2,1]},"
            "\"counts\":null,"
            "\"regions\":[[6,\"cut\",4,6,0,[1,2],[[1],[2]]],[7,\"crash\",7,8,1,[3],[]]],"
            "\"marks\":[2,0,8,\"1 won\"],"
            "\"ops\":[[1,1,9,\"k\",\"v\",\"ok\",2,3,1,1,\"stale\"],"
            "[2,2,10,\"k\",\"w\",\"\",6,8,0,0,\"\"]],"
            "\"failures\":[[8,\"two leaders\",\"text\",[1,2]]],\"cut\":null,"
            "\"strings\":[\"leader\",\"MsgAppend\",\"MsgAppendResponse\",\"term\",\"entries\","
            "\"n\",\"partition\",\"down\",\"election\",\"Get\",\"Put\"]}");
}

TEST(PageData, SameRecordingSameBytes) {
  std::string a = RenderHtml(samples::SmallRun());
  std::string b = RenderHtml(samples::SmallRun());
  EXPECT_EQ(a, b);
  EXPECT_EQ(RenderHtml(samples::BrokenRun()), RenderHtml(samples::BrokenRun()));
}

TEST(Page, IsOneSelfContainedFile) {
  Recorder rec = samples::SmallRun();
  rec.set_title("evil </script><script>alert(1)</script> \xff");
  std::string html = RenderHtml(rec);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
  // The page's own two scripts only: the data can't close its element.
  EXPECT_EQ(Count(html, "</script"), 2u);
  EXPECT_EQ(Count(html, "<script"), 2u);
  EXPECT_EQ(Count(html, "<!--"), 0u);
  // Nothing is fetched: no links, no sources, no imports.
  EXPECT_EQ(Count(html, "src="), 0u);
  EXPECT_EQ(Count(html, "href="), 0u);
  EXPECT_EQ(Count(html, "@import"), 0u);
  EXPECT_EQ(Count(html, "url("), 0u);
  EXPECT_NE(html.find("id=\"tl-status\""), std::string::npos);
  EXPECT_NE(html.find("id=\"tl-canvas\""), std::string::npos);
}

TEST(PageData, BigRecordingKeepsTheLastMessagesAndCountsTheRest) {
  Recorder rec = samples::BigRun(300000);
  ASSERT_EQ(rec.messages().size(), 300000u);
  std::string json = PageDataJson(rec);
  const PageLimits limits = PageLimits::Default();
  EXPECT_EQ(NumbersAfter(json, "from").size(), limits.max_messages);
  EXPECT_NE(json.find("\"cut\":{\"messages\":300000,\"kept\":100000,"), std::string::npos);
  std::vector<uint64_t> rows = NumbersAfter(json, "rows");
  ASSERT_EQ(rows.size() % 5, 0u);
  uint64_t counted = 0, slots = 0;
  for (size_t i = 0; i < rows.size(); i += 5) {
    counted += rows[i + 3];
    slots = std::max<uint64_t>(slots, rows[i] + 1);
  }
  EXPECT_EQ(counted, 300000u - limits.max_messages);
  EXPECT_LE(slots, limits.count_slots);
  // The first embedded message is the one right after the counted ones.
  EXPECT_NE(json.find("\"msgs\":{\"first\":200001,"), std::string::npos);
  std::string html = RenderHtml(rec);
  EXPECT_LT(html.size(), 9u << 20) << "the cap should keep the page under 9 MB";
}

TEST(PageData, SmallLimitsCutExactly) {
  Recorder rec = Tiny();
  PageLimits limits{1, 2, 0, 0};
  std::string json = PageDataJson(rec, limits);
  // One message kept (the last, sent at 6); two counted (sent at 2 and 5) in two slots of 2.
  EXPECT_NE(json.find("\"msgs\":{\"first\":3,\"from\":[1],\"to\":[2],"), std::string::npos);
  EXPECT_NE(json.find("\"counts\":{\"start\":2,\"until\":5,\"slot\":2,\"total\":2,\"dropped\":1,"
                      "\"rows\":[0,1,2,1,0,1,2,1,1,1]}"),
            std::string::npos)
      << json;
  // No marks, only the highlighted op, and the page says what it left out.
  EXPECT_NE(json.find("\"marks\":[]"), std::string::npos);
  EXPECT_NE(json.find("\"ops\":[[1,"), std::string::npos);
  EXPECT_EQ(json.find("[2,2,"), std::string::npos);
  EXPECT_NE(json.find("\"cut\":{\"messages\":3,\"kept\":1,\"from\":6,\"states\":0,\"marks\":1,"
                      "\"ops\":1}"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace timeline
