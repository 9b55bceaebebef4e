import Foundation
import Hummingbird

/// The routes of `tally serve` (docs/serve.md).
enum ServeRoutes {
    /// Bodies larger than this get 413.
    static let maxBodyBytes = 16 << 20

    static func router(service: EngineService, metrics: ServeMetrics) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: LatencyMiddleware(metrics: metrics))
        router.post("/events") { request, _ -> Response in
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
                return tooLarge()
            }
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: maxBodyBytes)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                return tooLarge()
            }
            let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
            return response(await service.ingest(body: bytes))
        }
        router.get("/report") { _, _ in response(await service.report()) }
        router.get("/experiments/:id") { _, context in
            let id = context.parameters.get("id").map { $0.removingPercentEncoding ?? $0 } ?? ""
            return response(await service.experiment(id))
        }
        router.get("/guests/:id") { _, context in
            let id = context.parameters.get("id").map { $0.removingPercentEncoding ?? $0 } ?? ""
            return response(await service.guest(id))
        }
        router.post("/reload") { _, _ in response(await service.reload()) }
        router.get("/healthz") { _, _ in response(await service.health()) }
        router.get("/metrics") { _, _ in
            response(await service.metricsText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        return router
    }

    static func response(_ answer: EngineService.Answer, contentType: String = "application/json") -> Response {
        var body = answer.body
        if !body.hasSuffix("\n") { body += "\n" }
        return Response(status: .init(code: answer.status), headers: [.contentType: contentType],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func tooLarge() -> Response {
        response(.init(status: 413, body: EngineService.error("the body is larger than \(maxBodyBytes) bytes (16 MiB)")))
    }
}

/// Times every request into the latency histogram.
struct LatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.observe(seconds: Self.seconds(since: start), status: response.status.code)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.observe(seconds: Self.seconds(since: start), status: status)
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
