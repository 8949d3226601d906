// Assignment service wiring. Its RPCs answer Unimplemented until its issue lands; health still reports its real
// dependencies.
import { AssignmentService } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { runIfEntry } from "../../lib/main.js";
import type { ServiceModule } from "../../lib/server.js";

export const assignment: ServiceModule = {
  name: "assignment",
  redis: false,
  nats: true,
  async build() {
    return { routes: (router) => router.service(AssignmentService, {}) };
  },
};

runIfEntry(import.meta.url, assignment);
