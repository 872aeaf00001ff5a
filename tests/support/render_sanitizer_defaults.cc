// Sanitizer defaults for the unit tests that render text with cairo and pango (render, documents,
// demo); linked into those test programs only, never into `hukou` or a library.
//
// LeakSanitizer: fontconfig and pango keep the fonts they matched in caches that live until exit,
// and cairo 1.16 leaks a small array per PDF while subsetting CFF fonts. Leaks allocated by this
// project's code through cairo or poppler are still reported. Allocation stacks must pass through
// the libraries (built without frame pointers) for the suppressions to match, hence the slow
// unwinder.
extern "C" const char* __asan_default_options() {  // NOLINT(bugprone-reserved-identifier)
  return "fast_unwind_on_malloc=0";
}
extern "C" const char* __lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier)
  return "leak:libfontconfig.so\nleak:libpangoft2-1.0.so\nleak:cairo_surface_finish\n";
}
