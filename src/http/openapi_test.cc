// Keeps docs/openapi.json in step with the routes the server really registers.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "http/app.h"

namespace hukou::http {
namespace {

TEST(OpenApiTest, DocumentedOperationsEqualRegisteredRoutes) {
  std::ifstream in(std::string(HUKOU_SOURCE_DIR) + "/docs/openapi.json");
  ASSERT_TRUE(in.good()) << "docs/openapi.json missing";
  const auto doc = nlohmann::json::parse(in);
  std::set<std::string> documented;
  for (const auto& [path, item] : doc.at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + path);
      EXPECT_TRUE(op.contains("summary")) << m << " " << path;
    }
  }

  App app;  // routes are only registered, never called
  Router router;
  RegisterAllRoutes(router, app);
  std::set<std::string> registered;
  for (const Route& r : router.Routes()) registered.insert(r.method + " " + r.pattern);

  for (const auto& op : registered) EXPECT_TRUE(documented.count(op)) << "undocumented: " << op;
  for (const auto& op : documented) EXPECT_TRUE(registered.count(op)) << "no such route: " << op;
}

}  // namespace
}  // namespace hukou::http
