#pragma once

// The timelines of the running test: every simulated cluster a test creates asks for a
// Recorder here (StartRun). When timelines are off — the default — StartRun returns null and
// the simulator records nothing (its `timeline_` stays null: no cost). When they are on
// (TINYKV_TIMELINE=1, set by `scripts/timeline.sh`, by the re-run of a failed test that
// testutil/gtest_main.cc starts, or by hand), the session keeps every run's recorder until the
// test ends, and then writes the page of the run that failed (the one with failures recorded,
// else the last one).
//
// Why a re-run instead of always recording: every run replays exactly from its seed, so the
// failing case can be run again with recording on, and a passing suite pays nothing.

#include <cstdint>
#include <functional>
#include <string>

#include "timeline/recorder.h"

namespace timeline {

// Whether this process records timelines (TINYKV_TIMELINE set and not "0"). Read once.
bool Enabled();
// Record (or not) regardless of the environment: tests of the timelines, demos' --timeline.
void SetEnabled(bool on);

// A simulated run starts: returns its recorder (owned by the session, alive until the test
// ends), or null when timelines are off. `clock` gives the run's current virtual time (for
// failures recorded from outside the run, e.g. a gtest assertion); it is dropped by EndRun.
// Counted either way (RunsStarted), so the test main knows a test ran a simulated cluster.
// Runs that ended without a failure are forgotten when the next one starts (a test may run
// hundreds): the page is of the run that failed, else of the last one.
Recorder* StartRun(std::string title, TimeUnit unit, std::string lane_noun,
                   std::function<Time()> clock);
// The run is over (its simulator is being destroyed): its clock is no longer valid.
void EndRun(Recorder* rec);

// How many runs the current test started (whether or not it recorded them).
uint64_t RunsStarted();

// A failure seen from outside the runs (a gtest assertion): recorded on the run that is still
// going (the most recent live one), else the last run, at that run's current time.
void FailCurrent(const std::string& title, const std::string& text);

// The recorder the page would be drawn from now: the last run with failures, else the last
// run; null when nothing was recorded.
const Recorder* Chosen();

// For a program that recorded its runs (the demos' --timeline=FILE): writes the chosen run's
// page to `path` and returns it, or "" with the reason in *error (also when nothing was
// recorded).
std::string WriteChosenPageTo(const std::string& path, std::string* error);

// The test is over: resets the session for the next test. When timelines are on and a run was
// recorded, writes its page (WritePage(rec, name): timeline.html for "", else
// timeline-<name>.html) and returns the path written; otherwise "". With TINYKV_TIMELINE_DUMP
// set, also writes the recording as text (dump.h) next to it, .txt for .html.
std::string FinishTest(const std::string& name, std::string* error);
// Forgets the current test's runs without writing anything (tests of the timelines).
void Discard();

}  // namespace timeline
