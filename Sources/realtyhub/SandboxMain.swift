// Branch-local entry point; replaced by the realtyhub CLI on main.
import ArgumentParser

@main struct RealtyHubSandboxMain {
    static func main() async {
        await SandboxCommand.main()
    }
}
