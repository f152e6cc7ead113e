// A structure-aware mutation of JSON text for the IR and config fuzzers: byte flips almost
// never get past the JSON parser, so half the time a parsed input is changed as a document
// (a node deleted, duplicated, replaced by another node of the document or by a value of
// another type, a number nudged) and written back. The rest is libFuzzer's own mutation.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace tilecc::fuzz {

namespace detail {

struct Node {
  nlohmann::json* value;
  nlohmann::json* parent;  // nullptr for the root
  std::string key;         // in an object parent
  std::size_t index = 0;   // in an array parent
};

inline void collect(nlohmann::json& j, nlohmann::json* parent, const std::string& key, std::size_t index,
                    std::vector<Node>& out) {
  out.push_back({&j, parent, key, index});
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) collect(it.value(), &j, it.key(), 0, out);
  else if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i) collect(j[i], &j, "", i, out);
}

/// Values of other types and the edges of the integer ranges the readers check.
inline nlohmann::json odd_value(std::minstd_rand& rng, const std::vector<Node>& nodes) {
  switch (rng() % 20) {
    case 0: return nullptr;
    case 1: return 0;
    case 2: return -1;
    case 3: return 1;
    case 4: return 3;
    case 5: return 64;
    case 6: return 65536;
    case 7: return std::int64_t{1} << 31;
    case 8: return std::int64_t{1} << 40;
    case 9: return INT64_MIN;
    case 10: return UINT64_MAX;
    case 11: return 2.5;
    case 12: return true;
    case 13: return "";
    case 14: return nlohmann::json::array();
    case 15: return nlohmann::json::object();
    case 16: return -1e300;
    default: {  // a string of the document itself: names, ops, kinds in the wrong place
      std::vector<const nlohmann::json*> strings;
      for (const Node& n : nodes)
        if (n.value->is_string()) strings.push_back(n.value);
      if (strings.empty()) return "x";
      return *strings[rng() % strings.size()];
    }
  }
}

inline bool mutate_document(nlohmann::json& doc, std::minstd_rand& rng) {
  std::vector<Node> nodes;
  collect(doc, nullptr, "", 0, nodes);
  const Node& n = nodes[rng() % nodes.size()];
  switch (rng() % 6) {
    case 0:  // delete
      if (!n.parent) return false;
      if (n.parent->is_object())
        n.parent->erase(n.key);
      else
        n.parent->erase(n.index);
      return true;
    case 1:  // duplicate in its array
      if (!n.parent || !n.parent->is_array()) return false;
      n.parent->insert(n.parent->begin() + static_cast<std::ptrdiff_t>(n.index), nlohmann::json(*n.value));
      return true;
    case 2: {  // graft another node of the document here
      const nlohmann::json copy = *nodes[rng() % nodes.size()].value;
      *n.value = copy;
      return true;
    }
    case 3:  // a number nudged
      if (n.value->is_number_integer()) {
        // In unsigned arithmetic: the fuzzer's own wrap-around is no finding.
        const std::uint64_t v = n.value->get<std::uint64_t>();
        const std::uint64_t nudged[] = {v + 1, v - 1, v * 2, v / 2, 0 - v, 0};
        *n.value = static_cast<std::int64_t>(nudged[rng() % 6]);
        return true;
      }
      [[fallthrough]];
    default:
      *n.value = odd_value(rng, nodes);
      return true;
  }
}

}  // namespace detail

/// The custom mutator both JSON fuzzers install (LLVMFuzzerCustomMutator).
inline std::size_t mutate_json(uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed) {
  std::minstd_rand rng(seed);
  if (rng() % 2 == 0) {
    nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded()) {
      const int rounds = 1 + static_cast<int>(rng() % 3);
      bool changed = false;
      for (int i = 0; i < rounds; ++i) changed = detail::mutate_document(doc, rng) || changed;
      if (changed) {
        const std::string text = doc.dump();
        if (text.size() <= max_size) {
          std::memcpy(data, text.data(), text.size());
          return text.size();
        }
      }
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

}  // namespace tilecc::fuzz
