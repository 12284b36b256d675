// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Consecutive} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Consecutive.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice ERC-721 that mints id ranges in its constructor with ERC-2309 `ConsecutiveTransfer`
/// (no per-token `Transfer`). Ids start at 0. `amounts[i]` tokens go to `recipients[i]`, one event
/// each (at most 5000 per range). After deployment, `mint` / `burn` use ordinary `Transfer` events.
/// `tokenURI(id)` is `baseURI` followed by the decimal id.
contract TestConsecutive is ERC721Consecutive, Ownable {
    string private _base;
    uint256 private _supply;

    constructor(
        string memory name_,
        string memory symbol_,
        string memory baseURI_,
        address[] memory recipients,
        uint96[] memory amounts
    ) ERC721(name_, symbol_) Ownable(msg.sender) {
        require(recipients.length == amounts.length, "length mismatch");
        _base = baseURI_;
        uint256 total = 0;
        for (uint256 i = 0; i < recipients.length; ++i) {
            _mintConsecutive(recipients[i], amounts[i]);
            total += amounts[i];
        }
        _supply = total;
    }

    function mint(address to, uint256 tokenId) external onlyOwner {
        _mint(to, tokenId);
        _supply += 1;
    }

    function burn(uint256 tokenId) external {
        _update(address(0), tokenId, _msgSender());
        _supply -= 1;
    }

    function totalSupply() external view returns (uint256) {
        return _supply;
    }

    function _baseURI() internal view override returns (string memory) {
        return _base;
    }
}
