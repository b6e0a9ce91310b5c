#include "proxy/config/lexer.h"

#include <map>

#include "gtest/gtest.h"

namespace tender::config {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> Words(absl::string_view text, std::map<std::string, std::string> env = {}) {
  std::vector<std::string> warnings;
  auto lines = Lex("t.cfg", text, FakeEnv(env), &warnings);
  EXPECT_TRUE(lines.ok()) << lines.status();
  std::vector<std::string> out;
  if (!lines.ok()) return out;
  for (const Line& l : *lines) {
    for (const Word& w : l.words) out.push_back(w.text);
  }
  return out;
}

std::string LexError(absl::string_view text) {
  std::vector<std::string> warnings;
  auto lines = Lex("t.cfg", text, FakeEnv({}), &warnings);
  EXPECT_FALSE(lines.ok());
  return lines.ok() ? "" : std::string(lines.status().message());
}

using V = std::vector<std::string>;

TEST(LexerTest, SplitsOnSpacesAndTabs) { EXPECT_EQ(Words("  bind\t*:80   ssl "), (V{"bind", "*:80", "ssl"})); }

TEST(LexerTest, CommentsEndTheLine) { EXPECT_EQ(Words("server a 1.2.3.4:80 # check"), (V{"server", "a", "1.2.3.4:80"})); }

TEST(LexerTest, EscapedHashIsNotAComment) { EXPECT_EQ(Words("x a\\#b"), (V{"x", "a#b"})); }

TEST(LexerTest, EscapedSpaceJoinsWords) { EXPECT_EQ(Words("realm My\\ Realm"), (V{"realm", "My Realm"})); }

TEST(LexerTest, SingleQuotesInterpretNothing) {
  EXPECT_EQ(Words("x '$HOME \\n # y'", {{"HOME", "/root"}}), (V{"x", "$HOME \\n # y"}));
}

TEST(LexerTest, DoubleQuotesExpandVariables) {
  EXPECT_EQ(Words("x \"${A}-$B-${C-dflt}\"", {{"A", "1"}, {"B", "2"}}), (V{"x", "1-2-dflt"}));
}

TEST(LexerTest, VariablesAreLiteralOutsideDoubleQuotes) {
  EXPECT_EQ(Words("x ${A}", {{"A", "1"}}), (V{"x", "${A}"}));
}

TEST(LexerTest, EscapedDollarInDoubleQuotes) { EXPECT_EQ(Words("x \"\\$A\"", {{"A", "1"}}), (V{"x", "$A"})); }

TEST(LexerTest, ConcatenatesAdjacentPieces) {
  EXPECT_EQ(Words("log-format \"%t\"' %s'\\ %r"), (V{"log-format", "%t %s %r"}));
}

TEST(LexerTest, EscapeSequences) { EXPECT_EQ(Words("x a\\tb\\x41\\\\"), (V{"x", "a\tbA\\"})); }

TEST(LexerTest, UnknownEscapesStayAsWritten) { EXPECT_EQ(Words("x ^\\d+$"), (V{"x", "^\\d+$"})); }

TEST(LexerTest, EmptyQuotedStringIsAWord) { EXPECT_EQ(Words("x '' y"), (V{"x", "", "y"})); }

TEST(LexerTest, UnsetVariableWarnsAndExpandsToNothing) {
  std::vector<std::string> warnings;
  auto lines = Lex("t.cfg", "user \"$NOPE\"", FakeEnv({}), &warnings);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ((*lines)[0].words[1].text, "");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "t.cfg:1:7: environment variable 'NOPE' is not set; it expands to an empty string");
}

TEST(LexerTest, ColumnsAndLineNumbers) {
  std::vector<std::string> warnings;
  auto lines = Lex("t.cfg", "\n# c\n  bind  :80\n", FakeEnv({}), &warnings);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].number, 3);
  EXPECT_EQ((*lines)[0].words[0].column, 3);
  EXPECT_EQ((*lines)[0].words[1].column, 9);
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(LexError("x 'abc"), "t.cfg:1:3: unterminated single quote");
  EXPECT_EQ(LexError("x\ny \"abc"), "t.cfg:2:3: unterminated double quote");
  EXPECT_EQ(LexError("x a\\"), "t.cfg:1:4: a backslash ends the line; nothing to escape");
  EXPECT_EQ(LexError("x \\xZZ"), "t.cfg:1:3: '\\x' must be followed by two hexadecimal digits");
  EXPECT_EQ(LexError("x \"${A\""), "t.cfg:1:4: '${A' is not closed by '}'");
}

}  // namespace
}  // namespace tender::config
