// Config -> canonical haproxy.cfg text (`tender --dump`): every proxy with what it
// inherited from defaults written out, so that the output parses back to the same structs.
#pragma once

#include <string>

#include "proxy/config/config.h"

namespace tender::config {

std::string Dump(const Config& config);

// Quotes a word so that the lexer reads it back unchanged.
std::string QuoteWord(const std::string& word);

}  // namespace tender::config
