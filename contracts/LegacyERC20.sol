// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice An ERC-20 as early tokens wrote it (MKR, SAI): `name()` and `symbol()` return `bytes32`,
/// not `string`. With `nameReverts` set, `name()` reverts instead (one broken read among good ones).
/// `mint` is open to anyone; `burn` burns the caller's balance. Both emit ERC-20 `Transfer`.
contract LegacyERC20 {
    event Transfer(address indexed from, address indexed to, uint256 value);

    bytes32 private immutable _name;
    bytes32 private immutable _symbol;
    bool private immutable _nameReverts;
    uint8 public immutable decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    constructor(bytes32 name_, bytes32 symbol_, uint8 decimals_, bool nameReverts_) {
        _name = name_;
        _symbol = symbol_;
        decimals = decimals_;
        _nameReverts = nameReverts_;
    }

    function name() external view returns (bytes32) {
        require(!_nameReverts, "name is not available");
        return _name;
    }

    function symbol() external view returns (bytes32) {
        return _symbol;
    }

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function burn(uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        totalSupply -= amount;
        emit Transfer(msg.sender, address(0), amount);
    }
}
