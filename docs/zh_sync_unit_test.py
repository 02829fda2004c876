#!/usr/bin/env python3
"""The checker of docs/zh_sync.py on small in-memory pairs: it passes twins that are in step
and fails, naming the file, the section and the fix, on each way they drift apart."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zh_sync  # noqa: E402

EN = """# Lab 9 — a toy

[中文版](zh/lab9.md)

Run `bazel test //labs:9` first.

## The files

You edit `raft/raft.cc` and read raft/storage.h; see [debugging.md](debugging.md).

```sh
bazel test //labs:9 --test_output=all   # show everything
```

## Testing

Cases `Raft9A.Basic` and Raftstore9B.Persist, seeds with --test_env=TINYKV_SEED=3.

```
# not a heading: a comment in a code block
```
"""

ZH = """# 实验 9：玩具
<!-- en: Lab 9 — a toy -->

[English](../lab9.md)

先运行 `bazel test //labs:9`。

## 文件
<!-- en: The files -->

你要修改 `raft/raft.cc`，并阅读 raft/storage.h；参见[调试指南](debugging.md)。

```sh
bazel test //labs:9 --test_output=all   # 显示全部输出
```

## 测试
<!-- en: Testing -->

用例 `Raft9A.Basic` 与 Raftstore9B.Persist，用 --test_env=TINYKV_SEED=3 指定种子。

```
# 不是标题：代码块里的注释
```

## 译注
<!-- zh-only -->

这里可以写 `anything`，不参与比对。
"""


def check(en=EN, zh=ZH, covered=None):
    return zh_sync.check_pair("docs/lab9.md", en, "docs/zh/lab9.md", zh, covered)


class CheckerTest(unittest.TestCase):
    def test_twins_in_step_pass(self):
        self.assertEqual(check(), [])

    def test_missing_section(self):
        en = EN + "\n## Hints\n\nUse `DescribeMessage`.\n"
        problems = check(en=en)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("docs/zh/lab9.md: missing section", problems[0])
        self.assertIn("translate the new section 'Hints' of docs/lab9.md", problems[0])
        self.assertIn("<!-- en: Hints -->", problems[0])

    def test_changed_command(self):
        en = EN.replace("bazel test //labs:9 --test_output=all",
                        "bazel test //labs:9 --test_output=errors")
        problems = check(en=en)
        self.assertEqual(len(problems), 1, problems)
        p = problems[0]
        self.assertIn("section '文件' (English: 'The files'", p)
        self.assertIn("missing in the Chinese section: command "
                      "`bazel test //labs:9 --test_output=errors`", p)
        self.assertIn("only in the Chinese section: command "
                      "`bazel test //labs:9 --test_output=all`", p)
        self.assertIn("Carry the change of section 'The files' of docs/lab9.md over", p)

    def test_continued_command_is_one_command(self):
        secs = zh_sync.parse("# T\n\n```sh\nbazel test //a:b \\\n  --test_arg=x   # note\n```\n")
        self.assertEqual(zh_sync.tokens_of(secs[0]), {("cmd", "bazel test //a:b --test_arg=x")})

    def test_translated_comment_in_a_command_line_is_fine(self):
        zh = ZH.replace("# 显示全部输出", "# 全部显示")
        self.assertEqual(check(zh=zh), [])

    def test_changed_path_test_name_label_flag_in_prose(self):
        for old, new, kind in (
            ("raft/storage.h", "raft/memory_storage.h", "file path"),
            ("Raftstore9B.Persist", "Raftstore9B.PersistAll", "test name"),
            ("--test_env=TINYKV_SEED=3", "--test_env=TINYKV_SEED=4", "flag"),
        ):
            problems = check(en=EN.replace(old, new))
            self.assertEqual(len(problems), 1, (old, problems))
            self.assertIn("missing in the Chinese section: %s `%s`" % (kind, new), problems[0])

    def test_changed_inline_code(self):
        problems = check(zh=ZH.replace("`Raft9A.Basic`", "`Raft9A.Basics`"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("section '测试' (English: 'Testing'", problems[0])
        self.assertIn("inline code `Raft9A.Basic`", problems[0])

    def test_stale_section(self):
        en = EN.replace("## Testing", "## Running the tests")
        problems = check(en=en)
        self.assertEqual(len(problems), 2, problems)
        stale = [p for p in problems if "stale section" in p]
        self.assertEqual(len(stale), 1, problems)
        self.assertIn("docs/zh/lab9.md line", stale[0])
        self.assertIn("<!-- en: Testing -->, but docs/lab9.md has no heading 'Testing'", stale[0])
        self.assertTrue(any("translate the new section 'Running the tests'" in p
                            for p in problems))

    def test_heading_without_comment(self):
        problems = check(zh=ZH.replace("<!-- en: Testing -->\n", ""))
        self.assertTrue(any("heading '测试' is not followed by <!-- en:" in p for p in problems),
                        problems)

    def test_duplicate_translation(self):
        zh = ZH + "\n## 又一个测试\n<!-- en: Testing -->\n"
        problems = check(zh=zh)
        self.assertTrue(any("stale section '又一个测试'" in p for p in problems), problems)

    def test_wrong_level(self):
        problems = check(zh=ZH.replace("## 测试", "### 测试"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("level-3 heading, but the English 'Testing'", problems[0])

    def test_missing_link_en(self):
        problems = check(en=EN.replace("[中文版](zh/lab9.md)\n", ""))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("docs/lab9.md: the first line under its title must be the link to its "
                      "Chinese twin `[中文版](zh/lab9.md)`", problems[0])

    def test_missing_link_zh(self):
        problems = check(zh=ZH.replace("[English](../lab9.md)", "[English](../lab8.md)"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("docs/zh/lab9.md: the first line under its title", problems[0])
        self.assertIn("`[English](../lab9.md)`", problems[0])

    def test_heading_in_code_block_is_not_a_section(self):
        secs = zh_sync.parse(EN)
        self.assertEqual([s.title for s in secs], ["Lab 9 — a toy", "The files", "Testing"])

    def test_partial_page_checks_only_covered_sections(self):
        en = EN + "\n## For instructors\n\n`grader/hidden/` only.\n"
        self.assertEqual(check(en=en, covered=["Lab 9 — a toy", "The files", "Testing"]), [])
        zh = ZH + "\n## 教师\n<!-- en: For instructors -->\n"
        problems = check(en=en, zh=zh, covered=["Lab 9 — a toy", "The files", "Testing"])
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("add the heading to README_COVERED", problems[0])

    def test_chinese_punctuation_ends_a_path(self):
        zh = ZH.replace("并阅读 raft/storage.h；", "并阅读raft/storage.h，")
        self.assertEqual(check(zh=zh), [])

    def test_code_span_across_lines_is_one_token(self):
        en = EN.replace("Run `bazel test //labs:9` first.", "Run `bazel test\n//labs:9` first.")
        self.assertEqual(check(en=en), [])

    def test_broken_link_in_zh_page(self):
        import tempfile
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "docs", "img"))
            open(os.path.join(root, "docs", "img", "a.png"), "w").close()
            open(os.path.join(root, "docs", "lab9.md"), "w").close()
            zh = "# 标题\n\n![图](../img/a.png) [English](../lab9.md) [x](https://example.com)\n"
            self.assertEqual(zh_sync.check_links(root, "docs/zh/lab9.md", zh, []), [])
            zh += "写成 `[English](../lab8.md)`（代码里的不算）\n"
            self.assertEqual(zh_sync.check_links(root, "docs/zh/lab9.md", zh, []), [])
            zh += "![图](img/a.png)\n"
            problems = zh_sync.check_links(root, "docs/zh/lab9.md", zh, [])
            self.assertEqual(len(problems), 1, problems)
            self.assertIn("docs/zh/lab9.md: the link `![图](img/a.png)` points to "
                          "docs/zh/img/a.png, which does not exist", problems[0])

    def test_repo_pending_and_extra_pages(self):
        import tempfile
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "docs", "zh"))
            for rel in ("README.md", "docs/lab1.md", "docs/lab2a.md", "docs/lab2b.md",
                        "docs/lab2c.md", "docs/debugging.md"):
                with open(os.path.join(root, rel), "w") as f:
                    f.write("# T\n")
            problems, notes = zh_sync.check_repo(root)
            self.assertTrue(any("docs/zh/lab2c.md: pending" in n for n in notes), notes)
            self.assertTrue(any("docs/zh/lab1.md: missing; it is the Chinese twin of "
                                "docs/lab1.md" in p for p in problems), problems)
            self.assertFalse(any("lab2c" in p for p in problems), problems)
            self.assertTrue(any("docs/zh/README.md: absent and README.md does not link it" in n
                                for n in notes), notes)
            with open(os.path.join(root, "README.md"), "w") as f:
                f.write("# T\n\n[中文版](docs/zh/README.md)\n")
            problems, _ = zh_sync.check_repo(root)
            self.assertTrue(any("docs/zh/README.md: missing; it is the Chinese twin of README.md"
                                in p for p in problems), problems)
            with open(os.path.join(root, "docs", "zh", "first-hour.md"), "w") as f:
                f.write("# 第一小时\n<!-- en: T -->\n")
            problems, _ = zh_sync.check_repo(root)
            self.assertTrue(any("docs/zh/first-hour.md has no English original "
                                "docs/first-hour.md" in p for p in problems), problems)


if __name__ == "__main__":
    unittest.main()
