#include "http/http.h"

#include <gtest/gtest.h>

#include "http/metrics.h"

namespace hukou::http {
namespace {

Request MakeRequest(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

nlohmann::json BodyOf(const Response& response) { return nlohmann::json::parse(response.body); }

Handler Echo(std::string name) {
  return [name](const Request& request) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [key, value] : request.path_params) params[key] = value;
    return Json({{"handler", name}, {"params", params}, {"route", request.route}});
  };
}

TEST(RouterTest, MatchesMethodAndLiteralPath) {
  Router router;
  router.Add("GET", "/api/v1/health", Echo("health"));
  router.Add("POST", "/api/v1/health", Echo("post-health"));
  Request get = MakeRequest("GET", "/api/v1/health");
  EXPECT_EQ(BodyOf(router.Dispatch(get))["handler"], "health");
  Request post = MakeRequest("POST", "/api/v1/health");
  EXPECT_EQ(BodyOf(router.Dispatch(post))["handler"], "post-health");
  EXPECT_EQ(post.route, "/api/v1/health");
}

TEST(RouterTest, FillsPathParamsAndRoute) {
  Router router;
  router.Add("GET", "/api/v1/persons/{key}/history/{n}", Echo("history"));
  Request request = MakeRequest("GET", "/api/v1/persons/42070419900101123X/history/3");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(request.Param("key"), "42070419900101123X");
  EXPECT_EQ(request.Param("n"), "3");
  EXPECT_EQ(request.Param("missing"), "");
  EXPECT_EQ(request.route, "/api/v1/persons/{key}/history/{n}");
  EXPECT_EQ(BodyOf(response)["params"]["key"], "42070419900101123X");
}

TEST(RouterTest, ParamDoesNotMatchEmptySegmentOrExtraSegments) {
  Router router;
  router.Add("GET", "/api/v1/persons/{key}", Echo("person"));
  Request empty = MakeRequest("GET", "/api/v1/persons/");
  EXPECT_EQ(router.Dispatch(empty).status, 404);
  Request longer = MakeRequest("GET", "/api/v1/persons/1/extra");
  EXPECT_EQ(router.Dispatch(longer).status, 404);
  Request shorter = MakeRequest("GET", "/api/v1/persons");
  EXPECT_EQ(router.Dispatch(shorter).status, 404);
}

TEST(RouterTest, LiteralSegmentBeatsParamWhateverTheOrder) {
  Router router;
  router.Add("GET", "/api/v1/persons/{key}", Echo("by-key"));
  router.Add("GET", "/api/v1/persons/search", Echo("search"));
  Request search = MakeRequest("GET", "/api/v1/persons/search");
  EXPECT_EQ(BodyOf(router.Dispatch(search))["handler"], "search");
  Request key = MakeRequest("GET", "/api/v1/persons/123");
  EXPECT_EQ(BodyOf(router.Dispatch(key))["handler"], "by-key");
}

TEST(RouterTest, UnknownPathIs404JsonError) {
  Router router;
  router.Add("GET", "/api/v1/health", Echo("health"));
  Request request = MakeRequest("GET", "/api/v1/nothing");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  nlohmann::json body = BodyOf(response);
  EXPECT_EQ(body["error"]["code"], "route.not_found");
  EXPECT_EQ(body["error"]["message"], "未找到该接口");
  EXPECT_TRUE(request.route.empty());
}

TEST(RouterTest, WrongMethodIs405WithAllowHeader) {
  Router router;
  router.Add("GET", "/api/v1/persons/{key}", Echo("get"));
  router.Add("PATCH", "/api/v1/persons/{key}", Echo("patch"));
  Request request = MakeRequest("DELETE", "/api/v1/persons/1");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(BodyOf(response)["error"]["code"], "route.method_not_allowed");
  EXPECT_EQ(BodyOf(response)["error"]["message"], "不支持该请求方法");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "GET, PATCH");
}

TEST(RouterTest, RoutesListsRegistrationOrder) {
  Router router;
  router.Add("POST", "/b", Echo("b"));
  router.Add("GET", "/a/{x}", Echo("a"));
  std::vector<Route> routes = router.Routes();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].method, "POST");
  EXPECT_EQ(routes[0].pattern, "/b");
  EXPECT_EQ(routes[1].method, "GET");
  EXPECT_EQ(routes[1].pattern, "/a/{x}");
}

TEST(TargetTest, DecodesPathAndQuery) {
  Request request;
  ASSERT_TRUE(ParseTarget("/api/v1/persons/%E5%BC%A0%E4%B8%89?q=%E6%9D%8E+%E5%9B%9B&page=2&flag&"
                          "a%2Bb=1%2B1&page=3#frag",
                          request)
                  .ok());
  EXPECT_EQ(request.path, "/api/v1/persons/张三");
  EXPECT_EQ(request.Query("q"), "李 四");
  EXPECT_EQ(request.Query("page"), "2");
  EXPECT_EQ(request.Query("a+b"), "1+1");
  EXPECT_TRUE(request.query.count("flag"));
  EXPECT_EQ(request.Query("flag"), "");
}

TEST(TargetTest, PlusIsLiteralInPath) {
  Request request;
  ASSERT_TRUE(ParseTarget("/a+b", request).ok());
  EXPECT_EQ(request.path, "/a+b");
}

TEST(TargetTest, RejectsBadEscapesAndInvalidUtf8) {
  for (const char* target : {"/a%zz", "/a%4", "/a?x=%", "/a%FF", "/a?x=%C3%28"}) {
    Request request;
    Status status = ParseTarget(target, request);
    ASSERT_FALSE(status.ok()) << target;
    EXPECT_EQ(status.error().code, "request.target");
    EXPECT_EQ(status.error().kind, ErrorKind::kValidation);
  }
}

TEST(PercentDecodeTest, Basics) {
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("%e4%B8%ad", false), "中");
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0", false), std::nullopt);
}

TEST(Utf8Test, AcceptsWellFormedRejectsMalformed) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("户政 𠀀"));  // includes a character outside the BMP
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE4\xB8"));          // truncated
}

TEST(RequestTest, HeaderIsCaseInsensitiveAndCookieParses) {
  Request request;
  request.headers["cookie"] = "theme=dark; hukou_session=\"abc123\";  lang = zh-CN";
  request.headers["x-real-ip"] = "10.0.0.1";
  EXPECT_EQ(request.Header("X-Real-IP"), "10.0.0.1");
  EXPECT_EQ(request.Header("missing"), "");
  EXPECT_EQ(request.Cookie("hukou_session"), "abc123");
  EXPECT_EQ(request.Cookie("theme"), "dark");
  EXPECT_EQ(request.Cookie("lang"), "zh-CN");
  EXPECT_EQ(request.Cookie("session"), std::nullopt);
  Request no_cookie;
  EXPECT_EQ(no_cookie.Cookie("hukou_session"), std::nullopt);
}

TEST(ResponseTest, ErrorBodyShapeAndStatus) {
  Response response =
      ErrorResponse(ValidationError("id_number.check_digit", "身份号码校验位错误", "id_number"));
  EXPECT_EQ(response.status, 400);
  nlohmann::json body = BodyOf(response);
  EXPECT_EQ(body, nlohmann::json::parse(R"({"error":{"code":"id_number.check_digit",
      "message":"身份号码校验位错误","field":"id_number"}})"));

  Response conflict = ErrorResponse(ConflictError("person.duplicate", "人员重复"));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_TRUE(BodyOf(conflict)["error"]["field"].is_null());
  EXPECT_EQ(ErrorResponse(BusinessRuleError("x", "y"), 413).status, 413);
}

TEST(ResponseTest, JsonNeverThrowsOnInvalidUtf8) {
  Response response = Json({{"name", std::string("bad\xFF")}}, 201);
  EXPECT_EQ(response.status, 201);
  EXPECT_TRUE(IsValidUtf8(response.body));
  EXPECT_EQ(BodyOf(response)["name"], "bad\xEF\xBF\xBD");
}

TEST(ParseJsonBodyTest, AcceptsObject) {
  Request request;
  request.body = R"({"name":"张三","age":30})";
  Result<nlohmann::json> body = ParseJsonBody(request);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["name"], "张三");
}

TEST(ParseJsonBodyTest, RejectsMalformedNonObjectAndInvalidUtf8) {
  for (const std::string& text : std::vector<std::string>{
           "", "{", "{\"a\":}", "[1,2]", "\"text\"", "42", "{\"name\":\"\xFF\xFE\"}",
           "{\"name\":\"\xED\xA0\x80\"}", "{\"a\":\"\\ud800\"}"}) {
    Request request;
    request.body = text;
    Result<nlohmann::json> body = ParseJsonBody(request);
    ASSERT_FALSE(body.ok()) << text;
    EXPECT_EQ(body.error().code, "request.json");
    EXPECT_EQ(ErrorResponse(body.error()).status, 400);
  }
}

TEST(MetricsTest, RendersCountersGaugesAndHistograms) {
  Metrics metrics;
  metrics.Describe("jobs_total", "Jobs done.");
  metrics.Increment("jobs_total", {{"kind", "import"}});
  metrics.Increment("jobs_total", {{"kind", "import"}}, 2);
  metrics.Increment("jobs_total", {{"kind", "say \"hi\"\n"}});
  metrics.SetGauge("queue", {}, 5);
  metrics.AddGauge("queue", {}, -2);
  metrics.Observe("latency_seconds", {{"route", "/a"}}, 0.003, {0.001, 0.01, 0.1});
  metrics.Observe("latency_seconds", {{"route", "/a"}}, 0.05, {0.001, 0.01, 0.1});
  metrics.Observe("latency_seconds", {{"route", "/a"}}, 7, {0.001, 0.01, 0.1});
  EXPECT_EQ(metrics.Value("jobs_total", {{"kind", "import"}}), 3);
  EXPECT_EQ(metrics.Value("queue"), 3);

  const std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\n"),
            std::string::npos);
  EXPECT_NE(text.find("jobs_total{kind=\"import\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("jobs_total{kind=\"say \\\"hi\\\"\\n\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE queue gauge\nqueue 3\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE latency_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/a\",le=\"0.001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/a\",le=\"0.01\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_sum{route=\"/a\"} 7.053\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_count{route=\"/a\"} 3\n"), std::string::npos);
}

TEST(MetricsTest, OneNameCannotBeTwoTypes) {
  Metrics metrics;
  metrics.Increment("x");
  EXPECT_THROW(metrics.Observe("x", {}, 1), std::logic_error);
}

TEST(MetricsTest, RecordRequestLabelsByRoutePattern) {
  Metrics metrics;
  RecordRequest(metrics, "GET", "/api/v1/persons/{key}", 200, 0.002);
  RecordRequest(metrics, "GET", "/api/v1/persons/{key}", 200, 0.004);
  RecordRequest(metrics, "GET", "", 404, 0.001);
  EXPECT_EQ(
      metrics.Value(kRequestsTotal,
                    {{"method", "GET"}, {"route", "/api/v1/persons/{key}"}, {"status", "200"}}),
      2);
  EXPECT_EQ(
      metrics.Value(kRequestsTotal, {{"method", "GET"}, {"route", "unmatched"}, {"status", "404"}}),
      1);
  EXPECT_NE(metrics.RenderPrometheus().find(
                "hukou_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/"
                "persons/{key}\"} 2"),
            std::string::npos);
}

}  // namespace
}  // namespace hukou::http
