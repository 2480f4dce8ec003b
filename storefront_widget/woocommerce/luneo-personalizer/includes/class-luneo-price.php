<?php
/**
 * The personalization surcharge, charged server-side.
 *
 * Luneo computes what a design costs from the saved design (GET /designs/<id>, server to
 * server: `price` = {currency, total, lines}) and this class keeps that answer in the cart
 * item, which lives in WooCommerce's server-side session: the browser only ever sends the
 * design id, so no posted field and no edited cart can change the amount. Whenever the line
 * is added, loaded from the session or totalled, its unit price becomes the product's own
 * price, re-read from the product (sale prices and the merchant's edits apply), plus the
 * stored surcharge — in the store's currency only: an amount in another currency is never
 * charged.
 *
 * @package LuneoPersonalizer
 */

defined( 'ABSPATH' ) || exit;

/**
 * Luneo's price answer: checked, stored, applied to the cart line, shown under it.
 */
class Luneo_Price {

	const MAX_LINES      = 100;
	const MAX_PROPERTIES = 60;

	/**
	 * Product objects whose price was set in this request (held, so their ids are not reused).
	 *
	 * @var SplObjectStorage|null
	 */
	private static $priced = null;

	/**
	 * Hook cart totals, the line's arrival in the cart and the cart's load from the session
	 * (the item prices in the cart and the mini-cart are read before any totals).
	 */
	public static function init() {
		// Early, so a pricing plugin running later (at 10) adjusts the personalized price.
		add_action( 'woocommerce_before_calculate_totals', array( __CLASS__, 'apply_to_cart' ), 5 );
		add_action( 'woocommerce_cart_loaded_from_session', array( __CLASS__, 'apply_to_cart' ), 5 );
		add_filter( 'woocommerce_get_cart_item_from_session', array( __CLASS__, 'restored' ), 10, 2 );
		add_filter( 'woocommerce_add_cart_item', array( __CLASS__, 'added' ) );
	}

	/**
	 * The design's price from Luneo's answer, in the store's currency, or a WP_Error whose
	 * message the shopper reads.
	 *
	 * @param array $design Luneo's GET /designs/<id> answer.
	 * @return array|WP_Error {currency, total, lines}
	 */
	public static function from_design( $design ) {
		$price = self::checked( isset( $design['price'] ) ? $design['price'] : null );
		if ( null === $price ) {
			return new WP_Error( 'luneo_no_price', self::unavailable_message() );
		}
		$store = self::store_currency();
		if ( $price['currency'] !== $store ) {
			return new WP_Error(
				'luneo_currency',
				sprintf(
					/* translators: 1: currency code of the personalization's price (e.g. USD), 2: the store's currency code (e.g. EUR). */
					__( 'This personalization is priced in %1$s but this store sells in %2$s, so it cannot be added to the cart. Please contact the store.', 'luneo-personalizer' ),
					$price['currency'],
					$store
				)
			);
		}
		return $price;
	}

	/**
	 * The visible cart line properties Luneo answered ({label: value}), as plain text.
	 * Labels starting with an underscore are left out: those keys are the plugin's hidden meta.
	 *
	 * @param array $design Luneo's GET /designs/<id> answer.
	 * @return array
	 */
	public static function properties( $design ) {
		$raw = isset( $design['properties'] ) && is_array( $design['properties'] ) ? $design['properties'] : array();
		$out = array();
		foreach ( $raw as $label => $value ) {
			if ( ! is_string( $label ) || ! ( is_string( $value ) || is_int( $value ) || is_float( $value ) ) ) {
				continue;
			}
			$label = sanitize_text_field( $label );
			$value = sanitize_text_field( (string) $value );
			if ( '' === $label || '_' === $label[0] || '' === $value ) {
				continue;
			}
			$out[ $label ] = $value;
			if ( count( $out ) >= self::MAX_PROPERTIES ) {
				break;
			}
		}
		return $out;
	}

	/**
	 * The shopper's notice when Luneo could not be asked (down, slow, an unexpected answer):
	 * nothing is lost, the editor keeps the design in this browser.
	 */
	public static function unavailable_message() {
		return __( 'Your personalization could not be confirmed just now, so it was not added to the cart. Your design is saved in this browser: please try again in a moment.', 'luneo-personalizer' );
	}

	/**
	 * Set each personalized line's price: the product's own price + Luneo's surcharge.
	 *
	 * WooCommerce totals the cart more than once per request (add to cart, then the cart page,
	 * the mini-cart). The base price is always re-read from a fresh product, never from the
	 * line's already-priced object, and once the totals hook has run in this request
	 * (did_action) a line whose object was priced is left alone: the surcharge is never added
	 * twice, and a pricing plugin's later change to it is kept. A line whose stored price is
	 * unusable or in another currency than the store's is removed, never charged at the base
	 * price.
	 *
	 * @param WC_Cart $cart The cart being totalled or just loaded.
	 */
	public static function apply_to_cart( $cart ) {
		$again = did_action( 'woocommerce_before_calculate_totals' ) > 1;
		foreach ( $cart->get_cart() as $key => $item ) {
			if ( empty( $item[ Luneo_Cart::ITEM_KEY ]['design_id'] ) || ! isset( $item['data'] ) || ! is_object( $item['data'] ) ) {
				continue;
			}
			if ( $again && self::priced()->contains( $item['data'] ) ) {
				continue;
			}
			if ( self::price_line( $item ) ) {
				continue;
			}
			$cart->remove_cart_item( $key );
			wc_add_notice(
				sprintf(
					/* translators: %s: product name. */
					__( 'The personalized “%s” was removed from your cart because its price could not be confirmed. Your design is saved in this browser: open the editor and add it again.', 'luneo-personalizer' ),
					esc_html( wp_strip_all_tags( $item['data']->get_name() ) )
				),
				'error'
			);
		}
	}

	/**
	 * Price a line as it enters the cart (its price was confirmed with Luneo just before).
	 *
	 * @param array $item The new cart item.
	 */
	public static function added( $item ) {
		if ( ! empty( $item[ Luneo_Cart::ITEM_KEY ]['design_id'] ) && isset( $item['data'] ) && is_object( $item['data'] ) ) {
			self::price_line( $item );
		}
		return $item;
	}

	/**
	 * Set the line's product object to its price: false when the line cannot be charged.
	 *
	 * @param array $item A cart item carrying a design.
	 */
	private static function price_line( $item ) {
		$price = self::stored( $item );
		$base  = self::base_price( $item );
		if ( null === $price || null === $base || $price['currency'] !== self::store_currency() ) {
			return false;
		}
		$item['data']->set_price( self::sum( $base, $price['total'] ) );
		self::priced()->attach( $item['data'] );
		return true;
	}

	/**
	 * The product objects priced in this request.
	 */
	private static function priced() {
		if ( null === self::$priced ) {
			self::$priced = new SplObjectStorage();
		}
		return self::$priced;
	}

	/**
	 * A cart restored from the session keeps its Luneo data (server-side); a line stored by an
	 * older version of the plugin, without a usable price, asks Luneo again.
	 *
	 * @param array $item   The restored cart item.
	 * @param array $values What the session held.
	 */
	public static function restored( $item, $values ) {
		if ( empty( $item[ Luneo_Cart::ITEM_KEY ]['design_id'] ) || null !== self::stored( $item ) ) {
			return $item;
		}
		$confirmed = Luneo_Cart::confirmed( (string) $item[ Luneo_Cart::ITEM_KEY ]['design_id'], isset( $item['product_id'] ) ? $item['product_id'] : 0 );
		if ( ! is_wp_error( $confirmed ) ) {
			list( $design, $price )                     = $confirmed;
			$item[ Luneo_Cart::ITEM_KEY ]['price']      = $price;
			$item[ Luneo_Cart::ITEM_KEY ]['properties'] = self::properties( $design );
		}
		return $item;
	}

	/**
	 * "Personalization: +€4.00" under the line, when the design costs extra.
	 *
	 * @param array $cart_item The cart item.
	 * @return array|null One item data entry, or null.
	 */
	public static function item_data( $cart_item ) {
		$price = self::stored( $cart_item );
		if ( null === $price || 0 === self::units( $price['total'], 6 ) ) {
			return null;
		}
		$display = '+' . wc_price( $price['total'], array( 'currency' => $price['currency'] ) );
		return array(
			'key'     => __( 'Personalization', 'luneo-personalizer' ),
			'value'   => html_entity_decode( wp_strip_all_tags( $display ), ENT_QUOTES, 'UTF-8' ),
			'display' => $display,
		);
	}

	/**
	 * The price stored in a cart item, checked again (it may come from an older session).
	 *
	 * @param array $cart_item The cart item.
	 * @return array|null
	 */
	public static function stored( $cart_item ) {
		$luneo = isset( $cart_item[ Luneo_Cart::ITEM_KEY ] ) ? $cart_item[ Luneo_Cart::ITEM_KEY ] : null;
		return self::checked( is_array( $luneo ) && isset( $luneo['price'] ) ? $luneo['price'] : null );
	}

	/**
	 * The store's currency (after the filters of currency switchers).
	 */
	public static function store_currency() {
		return strtoupper( (string) get_woocommerce_currency() );
	}

	/**
	 * Luneo's price shape, or null: {currency: "EUR", total: "4.00", lines: [{label, amount, kind}]}.
	 *
	 * @param mixed $price What Luneo (or the session) holds.
	 * @return array|null
	 */
	private static function checked( $price ) {
		if ( ! is_array( $price ) || ! isset( $price['currency'], $price['total'] ) ) {
			return null;
		}
		$currency = $price['currency'];
		$total    = $price['total'];
		if ( ! is_string( $currency ) || 1 !== preg_match( '/^[A-Z]{3}$/', $currency ) ) {
			return null;
		}
		if ( ! is_string( $total ) || 1 !== preg_match( '/^\d{1,10}(\.\d{1,6})?$/', $total ) ) {
			return null;
		}
		$lines = array();
		$raw   = isset( $price['lines'] ) && is_array( $price['lines'] ) ? $price['lines'] : array();
		foreach ( array_slice( $raw, 0, self::MAX_LINES ) as $line ) {
			if ( ! is_array( $line ) || ! isset( $line['amount'] ) || ! is_string( $line['amount'] ) || 1 !== preg_match( '/^-?\d{1,10}(\.\d{1,6})?$/', $line['amount'] ) ) {
				continue;
			}
			$lines[] = array(
				'label'  => isset( $line['label'] ) && is_string( $line['label'] ) ? sanitize_text_field( $line['label'] ) : '',
				'amount' => $line['amount'],
				'kind'   => isset( $line['kind'] ) && is_string( $line['kind'] ) ? sanitize_key( $line['kind'] ) : '',
			);
		}
		return array(
			'currency' => $currency,
			'total'    => $total,
			'lines'    => $lines,
		);
	}

	/**
	 * The line's product price as the store has it now (a fresh product object: sale prices,
	 * the merchant's edits and price filters apply), or null when the product is gone.
	 *
	 * @param array $item The cart item.
	 * @return string|null
	 */
	private static function base_price( $item ) {
		$id      = ! empty( $item['variation_id'] ) ? absint( $item['variation_id'] ) : absint( isset( $item['product_id'] ) ? $item['product_id'] : 0 );
		$product = $id ? wc_get_product( $id ) : null;
		if ( ! $product ) {
			return null;
		}
		$price = wc_format_decimal( $product->get_price() );
		return '' === $price ? '0' : $price;
	}

	/**
	 * Exact decimal addition of two amounts ("18.5" + "4.00" = "22.50"): no float drift.
	 *
	 * @param string $a An amount.
	 * @param string $b An amount.
	 */
	private static function sum( $a, $b ) {
		$places = max( self::places( $a ), self::places( $b ) );
		$units  = self::units( $a, $places ) + self::units( $b, $places );
		$sign   = $units < 0 ? '-' : '';
		$digits = str_pad( (string) abs( $units ), $places + 1, '0', STR_PAD_LEFT );
		if ( 0 === $places ) {
			return $sign . $digits;
		}
		return $sign . substr( $digits, 0, -$places ) . '.' . substr( $digits, -$places );
	}

	/**
	 * Decimal places of an amount string.
	 *
	 * @param string $amount An amount.
	 */
	private static function places( $amount ) {
		$dot = strpos( (string) $amount, '.' );
		return false === $dot ? 0 : strlen( (string) $amount ) - $dot - 1;
	}

	/**
	 * An amount as an integer of 10^-$places units ("4.5", 2 → 450).
	 *
	 * @param string $amount An amount like -?\d+(\.\d+)?.
	 * @param int    $places Decimal places.
	 */
	private static function units( $amount, $places ) {
		$amount   = (string) $amount;
		$negative = '' !== $amount && '-' === $amount[0];
		$parts    = explode( '.', ltrim( $amount, '-+' ), 2 );
		$fraction = substr( str_pad( isset( $parts[1] ) ? $parts[1] : '', $places, '0' ), 0, $places );
		$units    = (int) ( ( '' === $parts[0] ? '0' : $parts[0] ) . $fraction );
		return $negative ? -$units : $units;
	}
}
