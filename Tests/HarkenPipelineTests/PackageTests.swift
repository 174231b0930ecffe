import Foundation
import HarkenTestSupport
import XCTest

/// Package.swift declares exactly what each target imports (scripts/check_imports.py reads
/// `swift package dump-package` and every target's import lines).
final class PackageTests: XCTestCase {
    func testEveryTargetDeclaresExactlyWhatItImports() throws {
        let r = try Support.run("/usr/bin/env", ["python3", Support.repo.appendingPathComponent("scripts/check_imports.py").path], check: false)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }
}
