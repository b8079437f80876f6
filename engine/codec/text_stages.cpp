#include "codec/text_stages.hpp"

#include <cstring>

namespace ftpspec::codec::detail {

void LineSplitter::data(std::string_view bytes) {
  if (bytes.empty()) return;
  if (crlf_ && pending_cr_) {
    pending_cr_ = false;
    if (bytes.front() == '\n') {
      line_open_ = false;
      next_.end_record();
      bytes.remove_prefix(1);
    } else {
      next_.data("\r");  // a bare CR is data (RFC 854 would want CR NUL; we pass it through)
    }
  }
  const char terminator = crlf_ ? '\r' : '\n';
  while (!bytes.empty() && !flow_.ec) {
    const auto* hit = static_cast<const char*>(std::memchr(bytes.data(), terminator, bytes.size()));
    if (hit == nullptr) {
      line_open_ = true;
      next_.data(bytes);
      return;
    }
    const auto before = static_cast<std::size_t>(hit - bytes.data());
    if (before > 0) next_.data(bytes.substr(0, before));
    bytes.remove_prefix(before + 1);
    if (!crlf_) {
      line_open_ = false;
      next_.end_record();
    } else if (bytes.empty()) {
      pending_cr_ = true;  // the LF may come in the next chunk
      line_open_ = true;
    } else if (bytes.front() == '\n') {
      bytes.remove_prefix(1);
      line_open_ = false;
      next_.end_record();
    } else {
      line_open_ = true;
      next_.data("\r");
    }
  }
}

void LineSplitter::end_file() {
  if (pending_cr_) next_.data("\r");
  pending_cr_ = false;
  if (close_last_line_ && line_open_) next_.end_record();
  line_open_ = false;
  next_.end_file();
}

void Translator::data(std::string_view bytes) {
  scratch_.resize(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i)
    scratch_[i] = static_cast<char>(table_[static_cast<unsigned char>(bytes[i])]);
  next_.data(scratch_);
}

void AsaEncoder::emit_control() {
  const char control[1] = {control_};
  control_sent_ = true;
  line_open_ = true;
  next_.data(std::string_view(control, 1));
}

void AsaEncoder::data(std::string_view bytes) {
  while (!bytes.empty() && !flow_.ec) {
    if (!control_sent_) {
      if (control_ == ' ' && bytes.front() == '\f') {  // FF opening a line: new page
        control_ = '1';
        bytes.remove_prefix(1);
        emit_control();
        continue;
      }
      emit_control();
    }
    const auto cr = bytes.find('\r');
    if (cr == std::string_view::npos) {
      next_.data(bytes);
      return;
    }
    if (cr > 0) next_.data(bytes.substr(0, cr));
    bytes.remove_prefix(cr + 1);
    next_.end_record();  // CR: end this line, the next one overprints it
    control_ = '+';
    control_sent_ = false;
    line_open_ = true;
  }
}

void AsaEncoder::end_record() {
  if (!control_sent_) emit_control();
  next_.end_record();
  control_ = ' ';
  control_sent_ = false;
  line_open_ = false;
}

void AsaEncoder::end_file() {
  if (line_open_ && !control_sent_) emit_control();  // a final overprint line with no text
  next_.end_file();
}

void AsaDecoder::data(std::string_view bytes) {
  if (bytes.empty()) return;
  if (at_line_start_) {
    const char control = bytes.front();
    const char* line_end = pending_line_end_ ? "\n" : "";
    switch (control) {
      case ' ': next_.data(line_end); break;
      case '0':  // a blank line first
        next_.data(line_end);
        next_.data("\n");
        break;
      case '1':  // a new page first
        next_.data(line_end);
        next_.data("\f");
        break;
      case '+':
        if (pending_line_end_) next_.data("\r");
        break;
      default: flow_.fail(errc::carriage_control_invalid); return;
    }
    at_line_start_ = false;
    pending_line_end_ = false;
    bytes.remove_prefix(1);
  }
  if (!bytes.empty()) next_.data(bytes);
}

void AsaDecoder::end_record() {
  if (at_line_start_ && pending_line_end_) next_.data("\n");  // an empty line counts as ' '
  at_line_start_ = true;
  pending_line_end_ = true;
}

void AsaDecoder::end_file() {
  if (pending_line_end_) next_.data("\n");
  pending_line_end_ = false;
  next_.end_file();
}

}  // namespace ftpspec::codec::detail
