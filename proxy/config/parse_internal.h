// Internal to the parser: the pieces each parse_*.cc file provides to parser.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proxy/config/config.h"
#include "proxy/config/cursor.h"

namespace tender::config {

// parse_server.cc
// Parses "HOST:PORT" / "[V6]:PORT" / "HOST" (port 0: the client's destination port).
bool ParseServerAddress(Cursor& c, const Word& w, std::string* host, int* port);
// Reads server keywords until the end of the line.
bool ParseServerParams(Cursor& c, ServerParams* params);
bool ParseServerLine(Cursor& c, const ServerParams& defaults, ServerConfig* out);
bool ParseServerTemplateLine(Cursor& c, const ServerParams& defaults, ServerTemplateConfig* out);
bool ParseBindLine(Cursor& c, BindConfig* out);

// parse_acl.cc
bool ParseAclLine(Cursor& c, AclConfig* out);
// If the cursor is at `if` or `unless`, parses the condition to the end of the line.
bool ParseOptionalCondition(Cursor& c, std::optional<Condition>* out);
// The names of ACLs HAProxy predefines (TRUE, FALSE, METH_GET, ...).
bool IsPredefinedAcl(const std::string& name);

// parse_http_rules.cc
bool ParseHttpRequestLine(Cursor& c, HttpRule* out);
bool ParseHttpResponseLine(Cursor& c, HttpRule* out);

// known_keywords.cc: keywords HAProxy has that tender does not implement, so that they get
// "not supported by tender" rather than "unknown keyword".
bool IsKnownHaproxySection(const std::string& word);
bool IsKnownHaproxyGlobalKeyword(const std::string& word);
bool IsKnownHaproxyProxyKeyword(const std::string& word);
bool IsKnownHaproxyOption(const std::string& word);
bool IsKnownHaproxyServerKeyword(const std::string& word);
bool IsKnownHaproxyBindKeyword(const std::string& word);
bool IsKnownHaproxyFetch(const std::string& word);
bool IsKnownHaproxyHttpAction(const std::string& word);

// "'X' is not supported by tender" with a pointer to the docs.
std::string NotSupported(absl::string_view what);

}  // namespace tender::config
