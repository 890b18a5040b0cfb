#include "framing/container_log.hpp"

#include <charconv>

namespace mta {
namespace {

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// Decodes the JSON string that starts after `"log":"`; returns false on a malformed string.
bool decode_json_string(std::string_view text, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') return true;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= text.size()) return false;
    switch (text[i]) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'u': {
        unsigned code = 0;
        if (i + 4 >= text.size() ||
            std::from_chars(text.data() + i + 1, text.data() + i + 5, code, 16).ptr != text.data() + i + 5) {
          return false;
        }
        append_utf8(out, code);
        i += 4;
        break;
      }
      default: out.push_back(text[i]);  // \" \\ \/
    }
  }
  return false;
}

}  // namespace

void ContainerLogDecoder::on_line(std::string_view record) {
  switch (format_) {
    case LogFormat::plain: next_.on_line(record); break;
    case LogFormat::docker: on_docker(record); break;
    case LogFormat::cri: on_cri(record); break;
  }
}

void ContainerLogDecoder::append(std::string_view piece, bool complete) {
  if (skipping_) {
    skipping_ = !complete;  // the rest of an over-long line, up to its last record
    return;
  }
  if (pending_.size() + piece.size() > max_line_length_) {
    pending_.clear();
    skipping_ = !complete;
    ++too_long_;
    return;
  }
  if (complete && pending_.empty()) {
    next_.on_line(piece);
    return;
  }
  pending_.append(piece);
  if (complete) {
    next_.on_line(pending_);
    pending_.clear();
  }
}

void ContainerLogDecoder::on_docker(std::string_view record) {
  constexpr std::string_view key = "\"log\":\"";
  const std::size_t pos = record.find(key);
  if (pos == std::string_view::npos || !decode_json_string(record.substr(pos + key.size()), decoded_)) {
    ++malformed_;
    return;
  }
  const bool complete = !decoded_.empty() && decoded_.back() == '\n';
  std::string_view line = decoded_;
  if (complete) line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  append(line, complete);
}

void ContainerLogDecoder::on_cri(std::string_view record) {
  // TIMESTAMP SP STREAM SP TAG SP CONTENT, TAG being F (full) or P (partial), maybe with more flags.
  const std::size_t first = record.find(' ');
  const std::size_t second = first == std::string_view::npos ? first : record.find(' ', first + 1);
  const std::size_t third = second == std::string_view::npos ? second : record.find(' ', second + 1);
  if (third == std::string_view::npos && second != std::string_view::npos && second + 2 == record.size()) {
    append({}, record[second + 1] != 'P');  // an empty line
    return;
  }
  if (third == std::string_view::npos) {
    ++malformed_;
    return;
  }
  const std::string_view tag = record.substr(second + 1, third - second - 1);
  append(record.substr(third + 1), !tag.starts_with("P"));
}

}  // namespace mta
