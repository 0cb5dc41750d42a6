import RealtyModel
import Testing

@Suite struct JSONValueBuildingTests {
    @Test func computedNumbersAreWrittenAsJSONEncoderWritesThem() {
        #expect(JSONValue.int(5).jsonText == "5")
        #expect(JSONValue.int(Int64(-9_007_199_254_740_993)).jsonText == "-9007199254740993")
        #expect(JSONValue.double(5).jsonText == "5")
        #expect(JSONValue.double(2.5).jsonText == "2.5")
        #expect(JSONValue.double(1e-7).jsonText == "1e-07")
        #expect(JSONValue.double(1e20).jsonText == "1e+20")
        #expect(JSONValue.double(.infinity) == .null)
        #expect(JSONValue.double(.nan) == .null)
    }

    @Test func membersCanBeSetAndRemoved() {
        var value: JSONValue = ["a": 1]
        value["b"] = "x"
        value["a"] = nil
        #expect(value == ["b": "x"])
        #expect(value.objectValue == ["b": .string("x")])
        var array: JSONValue = [1]
        array["a"] = 2
        #expect(array == [1], "setting a member of a non-object does nothing")
        #expect(array.objectValue == nil)
    }
}
