/// The emulator built into the sandbox for each vendor. An emulator joins the sandbox by
/// being listed here.
let builtInEmulators: [SandboxVendor: any VendorEmulator.Type] = [
    .pfExpert: PFExpertEmulator.self,
    .propq: PropQEmulator.self,
    .mycrm: MyCRMEmulator.self,
    .apimo: ApimoEmulator.self,
    .bostonLogic: BostonLogicEmulator.self,
]
