// ThreadSanitizer suppressions for `--config=tsan`. Debian's Abseil, gRPC and OpenSSL are
// built without TSan, so their internal synchronisation (spinlocks and atomics in
// uninstrumented code) is invisible to it and shows up as races inside them. Races in
// tender's own code are never suppressed here. The TSan runtime calls this hook at start;
// without TSan it is an unused function.
extern "C" const char* __tsan_default_suppressions() {
  return "race:absl::debian3::\n"
         "race:grpc_core::\n"
         "race:grpc_event_engine::\n"
         "race:grpc::\n"
         "race:gpr_\n"
         "race:libgrpc.so\n"
         "race:libgpr.so\n"
         "race:libgrpc++.so\n"
         "race:libabsl_\n"
         "race:libssl.so\n"
         "race:libcrypto.so\n"
         "called_from_lib:libabsl_graphcycles_internal.so\n"
         "called_from_lib:libabsl_synchronization.so\n"
         "deadlock:libabsl_synchronization.so\n";
}
