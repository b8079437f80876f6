#include "proto/telnet.hpp"

namespace ftpspec::proto {

TelnetFilter::Result TelnetFilter::feed(unsigned char in, unsigned char& out) noexcept {
  using namespace telnet;
  switch (state_) {
    case State::data:
      if (in == IAC) {
        state_ = State::iac;
        return Result::none;
      }
      out = in;
      return Result::data;
    case State::iac:
      state_ = State::data;
      if (in == IAC) {
        out = IAC;
        return Result::data;
      }
      if (in >= WILL && in <= DONT) {
        state_ = State::option;
        out = in;
        return Result::none;
      }
      if (in == SB) {
        state_ = State::subneg;
        return Result::none;
      }
      if (in < SE) return Result::invalid;
      out = in;
      return Result::command;
    case State::option:  // the option byte after WILL/WONT/DO/DONT: FTP never negotiates, so drop it
      state_ = State::data;
      return Result::none;
    case State::subneg:
      if (in == IAC) state_ = State::subneg_iac;
      return Result::none;
    case State::subneg_iac:
      state_ = in == SE ? State::data : State::subneg;
      return Result::none;
  }
  return Result::none;
}

}  // namespace ftpspec::proto
