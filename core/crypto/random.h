// Random bytes for identifiers and nonces on hot paths, without a system call per use.
//
// OpenSSL 3's RAND_bytes calls getpid() on every use to notice a fork, and a system call is
// expensive on the virtual machines gateways run on. RandomBytes takes its bytes from a buffer
// per thread, filled by RAND_bytes (OpenSSL's DRBG, seeded from the operating system) a few
// kilobytes at a time. A fork empties every buffer (pthread_atfork), so a child never repeats its
// parent's bytes. Keys are not made from it: OpenSSL's key generation draws its own.
#pragma once

#include <cstddef>
#include <span>

namespace truc::crypto {

// Fills `out` with cryptographically secure random bytes. Aborts when OpenSSL has no randomness
// (nothing the gateway does is safe then).
void RandomBytes(std::span<unsigned char> out);

}  // namespace truc::crypto
