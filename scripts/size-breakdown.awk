# Bytes per crate from `nm -S --size-sort -t d -C` of an unstripped binary (scripts/size.sh).
# A Rust symbol counts for the crate its demangled path starts with (generic code instantiated
# for another crate's types counts for the crate that defines it, as in cargo-bloat); symbols
# without a path are C: ring's C and assembly, LLVM's libunwind, and libc (musl, with zig's
# own parts) plus compiler-rt — the part a dynamically linked build leaves to the router's
# libc.so. Prints "BYTES<TAB>NAME" per crate, and "BYTES<TAB>[total]".
{
    size = $2 + 0
    type = $3
    if (type !~ /^[tTrRdDbBvVwW]$/ || size == 0) next
    name = $0
    sub(/^[^ ]+ +[^ ]+ +[^ ]+ +/, "", name)
    n = name
    while (n ~ /^(<|&|mut |dyn |\*const |\*mut |\[|\(|impl )/)
        sub(/^(<|&|mut |dyn |\*const |\*mut |\[|\(|impl )/, "", n)
    if (n ~ /^[A-Za-z_][A-Za-z0-9_]*::/) {
        crate = n
        sub(/::.*/, "", crate)
        if (crate ~ /^(core|alloc|std|std_detect|panic_unwind|panic_abort|unwind|hashbrown|rustc_demangle|gimli|addr2line|miniz_oxide|object|adler2|compiler_builtins)$/)
            crate = "std (" crate ")"
        else if (crate == "libunwind")
            crate = "libunwind (C++)"
    } else if (n ~ /^(ring_core_|fiat_|nistz|p256_|ecp_nistz|LIMBS_|limbs_|GFp_|bn_|ChaCha20|CRYPTO_|OPENSSL_|aes_|vpaes_|gcm_|x25519_|fe_|ge_|sc_|poly1305|sha256_block|sha512_block)/) {
        crate = "ring (C, asm)"
    } else if (name ~ /libunwind|^_Unwind_|^__unw_|^unw_/) {
        crate = "libunwind (C++)"
    } else {
        crate = "libc + compiler-rt (C)"
    }
    bytes[crate] += size
    total += size
}
END {
    for (crate in bytes) printf "%d\t%s\n", bytes[crate], crate
    printf "%d\t[total]\n", total
}
