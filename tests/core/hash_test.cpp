#include "aiguillage/core/hash.hpp"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
namespace {

// Runs canonical_json expecting a json_syntax error; returns it for further checks.
Error syntax_error(std::string_view text) {
  try {
    canonical_json(text);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::json_syntax) << text;
    return error;
  }
  ADD_FAILURE() << "no error for: " << text;
  return Error(ErrorCode::ok, "");
}

TEST(HashTest, Sha256KnownVectors) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(to_hex(sha256(std::string(1'000'000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(HashTest, Sha256HashesEmbeddedNul) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(sha256(with_nul), sha256("a"));
  EXPECT_NE(sha256(with_nul), sha256("ab"));
}

TEST(HashTest, HexIsLowercase) {
  Sha256 digest{};
  digest[0] = 0xAB;
  digest[31] = 0x0F;
  const std::string hex = to_hex(digest);
  ASSERT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.substr(0, 2), "ab");
  EXPECT_EQ(hex.substr(62), "0f");
}

TEST(HashTest, CanonicalSortsKeysAndDropsWhitespace) {
  EXPECT_EQ(canonical_json(R"( { "b" : 1 , "a" : [ 3 , 1 , 2 ] ,
                                 "c" : { "z" : true , "y" : null } } )"),
            R"({"a":[3,1,2],"b":1,"c":{"y":null,"z":true}})");
  EXPECT_EQ(canonical_json("{}"), "{}");
  EXPECT_EQ(canonical_json("[]"), "[]");
  EXPECT_EQ(canonical_json(" [ { } , [ ] ] "), "[{},[]]");
}

TEST(HashTest, ScalarDocuments) {
  EXPECT_EQ(canonical_json("true"), "true");
  EXPECT_EQ(canonical_json(" false "), "false");
  EXPECT_EQ(canonical_json("null"), "null");
  EXPECT_EQ(canonical_json("\t42\n"), "42");
  EXPECT_EQ(canonical_json(R"("x")"), R"("x")");
}

TEST(HashTest, NestedArraysKeepOrder) {
  EXPECT_EQ(canonical_json(R"([[2,1],[{"b":1,"a":2}],[[3],[1,[2]]]])"),
            R"([[2,1],[{"a":2,"b":1}],[[3],[1,[2]]]])");
  EXPECT_NE(document_hash("[1,2]"), document_hash("[2,1]"));
}

TEST(HashTest, PermutedKeysAndWhitespaceGiveTheSameHash) {
  const std::string a =
      R"({"name":"Ada","age":36,"tags":["x","y"],"address":{"city":"Lyon","zip":"69001"}})";
  const std::string b = R"({
    "address": {"zip": "69001", "city": "Lyon"},
    "tags": ["x", "y"],
    "age": 36,
    "name": "Ada"
  })";
  EXPECT_EQ(canonical_json(a), canonical_json(b));
  EXPECT_EQ(document_hash(a), document_hash(b));
  EXPECT_NE(document_hash(a), document_hash(R"({"name":"Ada","age":37})"));
}

TEST(HashTest, DocumentHashFormat) {
  EXPECT_EQ(document_hash(" { } "),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  const std::string text = R"({"b":[1,2],"a":"x"})";
  EXPECT_EQ(document_hash(text), "sha256:" + to_hex(sha256(canonical_json(text))));
}

TEST(HashTest, KeysSortByUtf8Bytes) {
  // 'Z' (0x5A) < 'a' (0x61) < 'z' (0x7A) < 'é' (0xC3 0xA9) < '😀' (0xF0 ...).
  EXPECT_EQ(canonical_json(R"({"😀":5,"é":4,"z":3,"a":2,"Z":1,"":0})"),
            R"({"":0,"Z":1,"a":2,"z":3,"é":4,"😀":5})");
  EXPECT_EQ(canonical_json(R"({"ab":1,"a":2,"b":3})"), R"({"a":2,"ab":1,"b":3})");
}

TEST(HashTest, UnicodeStrings) {
  // Escaped and literal forms of the same text are the same document.
  EXPECT_EQ(canonical_json(R"(["\u00e9t\u00C9", "\ud83d\ude00", "\u4e2d"])"),
            R"(["étÉ","😀","中"])");
  EXPECT_EQ(document_hash(R"({"v":"\u00e9"})"), document_hash(R"({"v":"é"})"));
  EXPECT_EQ(canonical_json(R"({"cl\u00e9":1})"), R"({"clé":1})");
}

TEST(HashTest, MinimalStringEscapes) {
  EXPECT_EQ(canonical_json(R"(["\"", "\\", "\/", "a/b"])"), R"(["\"","\\","/","a/b"])");
  EXPECT_EQ(canonical_json(R"(["\b\f\n\r\t", "\u0008\u000c\u000A\u000D\u0009"])"),
            R"(["\b\f\n\r\t","\b\f\n\r\t"])");
  EXPECT_EQ(canonical_json(R"(["\u0000", "\u0001", "\u001F", "\u007f", "\u0020"])"),
            "[\"\\u0000\",\"\\u0001\",\"\\u001f\",\"\x7f\",\" \"]");
  EXPECT_EQ(canonical_json(R"({"\n":"\u001b"})"), R"({"\n":"\u001b"})");
}

TEST(HashTest, NumbersAreNormalised) {
  EXPECT_EQ(canonical_json("[0, -0, 1, -1, 1.0, 1e3, 1E+3, 1000.000, -0.0, 0e5]"),
            "[0,0,1,-1,1,1000,1000,1000,0,0]");
  EXPECT_EQ(canonical_json("[0.1, -2.5, 1.5e-7, 1e300, 3.14159, 1e-7]"),
            "[0.1,-2.5,1.5e-07,1e+300,3.14159,1e-07]");
  EXPECT_EQ(canonical_json("[18446744073709551615, -9223372036854775808, 9223372036854775807]"),
            "[18446744073709551615,-9223372036854775808,9223372036854775807]");
  // Integral values beyond 64 bits are doubles; they keep the shortest form (2^64 is shorter
  // written out than in exponent form).
  EXPECT_EQ(canonical_json("[1e20, 100000000000000000000, 1e21]"), "[1e+20,1e+20,1e+21]");
  EXPECT_EQ(canonical_json("[18446744073709551616]"), "[18446744073709551616]");
  EXPECT_EQ(canonical_json("[0.30000000000000004, 0.1e1]"), "[0.30000000000000004,1]");
}

TEST(HashTest, DuplicateKeyIsAnError) {
  const Error top = syntax_error(R"({"a":1,"a":2})");
  EXPECT_EQ(top.message(), "duplicate key \"a\"");
  EXPECT_EQ(top.pointer(), "/a");

  const Error nested = syntax_error(R"({"x":[{"k":1},{"j":0,"k":1,"k":2}]})");
  EXPECT_EQ(nested.message(), "duplicate key \"k\"");
  EXPECT_EQ(nested.pointer(), "/x/1/k");

  const Error escaped = syntax_error(R"({"p":{"a/b~":1,"a/b~":2}})");
  EXPECT_EQ(escaped.pointer(), "/p/a~1b~0");

  // Escaped and literal spellings name the same key.
  const Error spelled = syntax_error(R"({"é":1,"\u00e9":2})");
  EXPECT_EQ(spelled.pointer(), "/é");

  const Error deep = syntax_error(R"([0,[1,2,{"a":{"b":[{},{"c":1,"c":1}]}}]])");
  EXPECT_EQ(deep.pointer(), "/1/2/a/b/1/c");
}

TEST(HashTest, SameKeyInDifferentObjectsIsFine) {
  EXPECT_EQ(canonical_json(R"({"b":{"a":2},"a":{"a":1}})"), R"({"a":{"a":1},"b":{"a":2}})");
  EXPECT_EQ(canonical_json(R"([{"a":1},{"a":1}])"), R"([{"a":1},{"a":1}])");
}

TEST(HashTest, MalformedJsonNamesTheByte) {
  const Error trailing_comma = syntax_error("[1,]");
  EXPECT_NE(trailing_comma.message().find("at byte 3"), std::string::npos)
      << trailing_comma.message();
  const Error bad_literal = syntax_error(R"({"a": tru})");
  EXPECT_NE(bad_literal.message().find("byte"), std::string::npos) << bad_literal.message();

  for (std::string_view text : {"",
                                " ",
                                "{",
                                "}",
                                "[1,]",
                                R"({"a":})",
                                R"({"a" 1})",
                                R"({a:1})",
                                "{'a':1}",
                                "tru",
                                "[1] x",
                                "[1][2]",
                                "01",
                                "1.",
                                ".5",
                                "+1",
                                "NaN",
                                "Infinity",
                                "1e400",
                                "-1e400",
                                R"(["\x"])",
                                R"(["\u12"])",
                                R"(["\ud800"])",
                                R"(["\udc00\ud800"])",
                                "[\"a\tb\"]",
                                "\"\xff\"",
                                "\"\xc3\"",
                                "\"\xed\xa0\x80\"",
                                "// c\n1",
                                "[1,2",
                                R"({"a":1,})"}) {
    const Error error = syntax_error(text);
    EXPECT_NE(error.message().find("byte"), std::string::npos) << error.message();
  }
}

TEST(HashTest, ErrorMessagesStayPrintableAscii) {
  for (std::string_view text : {"\"\xff\"", "[\"\xc3\xa9\xff\"]", "[1, \"\n\"]", "[\xe9]"}) {
    const Error error = syntax_error(text);
    for (char c : error.message()) {
      EXPECT_TRUE(c >= 0x20 && c < 0x7f) << error.message();
    }
  }
  EXPECT_NE(syntax_error("[1] x").message().find("expected end of input"), std::string::npos);
}

TEST(HashTest, EmbeddedNulIsRejected) {
  EXPECT_NE(syntax_error(std::string_view("[1]\0", 4)).message().find("at byte 3"),
            std::string::npos);
  syntax_error(std::string_view("[1]\0[2]", 7));
  syntax_error(std::string_view("\"a\0b\"", 5));
}

TEST(HashTest, DeepNestingIsRefusedNotFollowed) {
  // Up to the documents' depth limit the canonical form is computed; past it, too_deep.
  constexpr int kLimit = 256;
  const std::string arrays = std::string(kLimit, '[') + std::string(kLimit, ']');
  EXPECT_EQ(canonical_json(arrays), arrays);
  std::string objects;
  for (int i = 0; i < kLimit; ++i) objects += R"({"a":)";
  objects += "1" + std::string(kLimit, '}');
  EXPECT_EQ(canonical_json(objects), objects);
  constexpr int kDepth = 200'000;
  const std::string deep = std::string(kDepth, '[') + std::string(kDepth, ']');
  try {
    canonical_json(deep);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::too_deep);
  }
}

TEST(HashTest, CanonicalFormIsAFixedPoint) {
  for (std::string_view text :
       {R"({"z":[1,{"y":"\u0001é","x":-0.5e-3}],"a":null, "m": 12345678901234567890})",
        R"([[],{},"",0,false])"}) {
    const std::string once = canonical_json(text);
    EXPECT_EQ(canonical_json(once), once);
  }
}

}  // namespace
}  // namespace aiguillage
